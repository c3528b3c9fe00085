package dev.hitcounter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A key and self-signed certificate made by the JDK's own {@code keytool} for one IP address, written as the PEM
 * files a TLS server such as Redis reads, plus a trust store that trusts only this certificate.
 */
public final class SelfSignedCertificate {

    private static final String PASSWORD = "changeit";

    private final Path certificatePem;
    private final Path privateKeyPem;
    private final Path trustStore;
    private final KeyStore trusted;

    private SelfSignedCertificate(Path certificatePem, Path privateKeyPem, Path trustStore, KeyStore trusted) {
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
        this.trustStore = trustStore;
        this.trusted = trusted;
    }

    /** Makes a certificate whose only subject alternative name is {@code ip}. */
    public static SelfSignedCertificate forIp(String ip) {
        try {
            Path dir = Files.createTempDirectory("tls");
            Path keyStore = dir.resolve("server.p12");
            keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=" + ip, "-ext", "san=ip:" + ip,
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD);
            KeyStore server = load(keyStore);
            Certificate certificate = server.getCertificate("server");
            Path certificatePem = Files.writeString(dir.resolve("server.crt"),
                    pem("CERTIFICATE", certificate.getEncoded()));
            // getEncoded() of a private key is PKCS#8, the "BEGIN PRIVATE KEY" form OpenSSL reads.
            Path privateKeyPem = Files.writeString(dir.resolve("server.key"),
                    pem("PRIVATE KEY", server.getKey("server", PASSWORD.toCharArray()).getEncoded()));
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", certificate);
            Path trustStore = dir.resolve("trust.p12");
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trusted.store(out, PASSWORD.toCharArray());
            }
            return new SelfSignedCertificate(certificatePem, privateKeyPem, trustStore, trusted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path certificatePem() {
        return certificatePem;
    }

    public Path privateKeyPem() {
        return privateKeyPem;
    }

    /** JVM options that make a Java process trust this certificate, and nothing else, as a TLS client. */
    public List<String> trustStoreOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** A socket factory for the test's own clients that trusts this certificate. */
    public SSLSocketFactory socketFactory() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
