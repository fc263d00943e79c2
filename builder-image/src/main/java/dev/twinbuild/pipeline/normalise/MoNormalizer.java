package dev.twinbuild.pipeline.normalise;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Clamps the POT-Creation-Date and PO-Revision-Date of a gettext .mo header to SOURCE_DATE_EPOCH.
 * The new date has the same length as the old, so no string offset in the file moves.
 */
final class MoNormalizer implements ContentNormalizer {
    private static final Pattern DATE = Pattern.compile(
            "((?:POT-Creation|PO-Revision)-Date: )(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}[+-]\\d{4})");
    private static final long MAX = 64L << 20;

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mmxx");

    private final long sourceDateEpoch;
    private final String date;

    MoNormalizer(long sourceDateEpoch) {
        this.sourceDateEpoch = sourceDateEpoch;
        date = FORMAT.format(Instant.ofEpochSecond(sourceDateEpoch).atOffset(ZoneOffset.UTC));
    }

    /** Compares instants: "2023-11-14 20:00-0500" is later than "2023-11-14 22:13+0000", though it sorts before. */
    private boolean later(String d) {
        try {
            return OffsetDateTime.parse(d, FORMAT).toEpochSecond() > sourceDateEpoch;
        } catch (DateTimeParseException e) {
            return d.compareTo(date) > 0;
        }
    }

    @Override
    public boolean normalize(Path file, OutputStream out) throws IOException {
        if (Files.size(file) > MAX || Files.size(file) < 28) {
            return false;
        }
        byte[] data = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0xde120495) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else if (magic != 0x950412de) {
            return false;
        }
        int n = b.getInt(8);
        int originals = b.getInt(12);
        int translations = b.getInt(16);
        for (int i = 0; i < n; i++) {
            if (b.getInt(originals + i * 8) != 0) {
                continue;
            }
            int len = b.getInt(translations + i * 8);
            int off = b.getInt(translations + i * 8 + 4);
            if (off < 0 || len < 0 || off + len > data.length) {
                return false;
            }
            String header = new String(data, off, len, StandardCharsets.ISO_8859_1);
            Matcher m = DATE.matcher(header);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + (later(m.group(2)) ? date
                        : m.group(2))));
            }
            m.appendTail(sb);
            byte[] fixed = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(fixed, 0, data, off, len);
            out.write(data);
            return true;
        }
        return false;
    }
}
