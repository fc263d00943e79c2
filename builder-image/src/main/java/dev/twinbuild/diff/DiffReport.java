package dev.twinbuild.diff;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/** Differences between two outputs: per entry for archives, the first differing byte otherwise. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class DiffReport {
    public String a;
    public String b;
    public String shaA;
    public String shaB;
    public boolean identical;
    public String format;
    public List<EntryDifference> entries = new ArrayList<>();
    /** Set when both hold the same entries but in another order. */
    public boolean orderDiffers;
    public Long firstDifferingByte;

    public List<String> differingPaths() {
        return entries.stream().map(EntryDifference::path).toList();
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(a).append("  sha256:").append(shaA).append('\n');
        sb.append("+++ ").append(b).append("  sha256:").append(shaB).append('\n');
        if (identical) {
            return sb.append("identical\n").toString();
        }
        if (format == null) {
            sb.append("not an archive this differ reads; first differing byte at offset ")
                    .append(firstDifferingByte).append('\n');
        }
        for (EntryDifference d : entries) {
            sb.append(d.path()).append(": ").append(String.join(", ", d.kinds())).append('\n');
            for (String line : d.details()) {
                sb.append("    ").append(line.replace("\n", "\n    ")).append('\n');
            }
        }
        if (orderDiffers) {
            sb.append("entry order differs\n");
        }
        if (entries.isEmpty() && !orderDiffers && format != null) {
            sb.append("entries are equal; the archives differ in headers or padding (first differing byte at offset ")
                    .append(firstDifferingByte).append(")\n");
        }
        return sb.toString();
    }
}
