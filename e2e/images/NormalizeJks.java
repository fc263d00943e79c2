import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Makes a JKS trust store reproducible: ca-certificates-java stamps every entry with the time of the
 * install, so two image builds differ in /etc/ssl/certs/java/cacerts alone. This rewrites each entry's
 * creation date to a fixed instant and recomputes the store's integrity digest; certificates, aliases
 * and their order are untouched.
 *
 * <pre>java e2e/images/NormalizeJks.java CACERTS EPOCH_SECONDS [STOREPASS]</pre>
 *
 * Run with a JDK (single-file source launch); e2e/images/build.sh calls it as an mmdebstrap hook.
 */
public class NormalizeJks {
    private static final int MAGIC = 0xfeedfeed;
    private static final int TRUSTED_CERT = 2;

    public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
        if (args.length < 2) {
            System.err.println("usage: java NormalizeJks.java CACERTS EPOCH_SECONDS [STOREPASS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long millis = Long.parseLong(args[1]) * 1000L;
        char[] password = (args.length > 2 ? args[2] : "changeit").toCharArray();
        byte[] in = Files.readAllBytes(file);

        DataInputStream r = new DataInputStream(new java.io.ByteArrayInputStream(in, 0, in.length - 20));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(body);
        if (r.readInt() != MAGIC) {
            throw new IOException(file + " is not a JKS key store");
        }
        int version = r.readInt();
        int count = r.readInt();
        w.writeInt(MAGIC);
        w.writeInt(version);
        w.writeInt(count);
        for (int i = 0; i < count; i++) {
            int tag = r.readInt();
            if (tag != TRUSTED_CERT) {
                throw new IOException("entry " + i + " is not a trusted certificate (tag " + tag + "): only trust stores are supported");
            }
            w.writeInt(tag);
            w.writeUTF(r.readUTF()); // alias
            r.readLong();            // creation date, replaced
            w.writeLong(millis);
            if (version == 2) {
                w.writeUTF(r.readUTF()); // certificate type
            }
            byte[] cert = new byte[r.readInt()];
            r.readFully(cert);
            w.writeInt(cert.length);
            w.write(cert);
        }
        if (r.available() != 0) {
            throw new IOException("trailing data in " + file);
        }
        w.flush();

        // The JKS integrity check: SHA-1 over the password (UTF-16BE), "Mighty Aphrodite", the body.
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (char c : password) {
            sha1.update((byte) (c >> 8));
            sha1.update((byte) c);
        }
        sha1.update("Mighty Aphrodite".getBytes(StandardCharsets.UTF_8));
        byte[] data = body.toByteArray();
        sha1.update(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data);
        out.write(sha1.digest());
        Files.write(file, out.toByteArray());
        System.err.println("NormalizeJks: " + count + " entries of " + file + " dated " + args[1]);
    }
}
