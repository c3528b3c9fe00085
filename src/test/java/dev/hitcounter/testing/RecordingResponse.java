package dev.hitcounter.testing;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

/** A Mockito response whose body bytes are kept, for servlet unit tests. */
public final class RecordingResponse {

    public final HttpServletResponse mock = mock(HttpServletResponse.class);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    public RecordingResponse() {
        try {
            when(mock.getOutputStream()).thenReturn(new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String body() {
        return body.toString(StandardCharsets.UTF_8);
    }
}
