package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlPageTest {

    @Test
    void rendersOneSentenceInAValidDocument() {
        assertEquals("""
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Title</title></head>
                <body><p>Hello! This page has been seen 7 times.</p></body>
                </html>
                """, HtmlPage.render("Title", "Hello! This page has been seen 7 times."));
    }

    @Test
    void escapesMarkup() {
        assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;",
                HtmlPage.escape("<script>alert(\"x\")</script> & '"));
    }
}
