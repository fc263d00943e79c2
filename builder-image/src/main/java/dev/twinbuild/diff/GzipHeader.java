package dev.twinbuild.diff;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a gzip header carries that makes two compressions of the same data differ. */
final class GzipHeader {
    private GzipHeader() {
    }

    static String describe(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(10);
            if (h.length < 10 || (h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b) {
                return "not gzip";
            }
            long mtime = (h[4] & 0xffL) | (h[5] & 0xffL) << 8 | (h[6] & 0xffL) << 16 | (h[7] & 0xffL) << 24;
            StringBuilder sb = new StringBuilder("mtime=").append(mtime);
            if ((h[3] & 4) != 0) {
                byte[] len = in.readNBytes(2);
                in.skipNBytes((len[0] & 0xff) | (len[1] & 0xff) << 8);
            }
            if ((h[3] & 8) != 0) {
                StringBuilder name = new StringBuilder();
                int c;
                while ((c = in.read()) > 0 && name.length() < 200) {
                    name.append((char) c);
                }
                sb.append(" name=").append(new String(name.toString().getBytes(StandardCharsets.ISO_8859_1),
                        StandardCharsets.UTF_8));
            }
            return sb.append(" os=").append(h[9] & 0xff).toString();
        }
    }
}
