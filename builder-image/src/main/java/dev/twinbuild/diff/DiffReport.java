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

    private static void render(StringBuilder sb, List<EntryDifference> entries, String indent) {
        for (EntryDifference d : entries) {
            sb.append(indent).append(d.path()).append(": ").append(String.join(", ", d.kinds())).append('\n');
            for (String line : d.details()) {
                sb.append(indent).append("    ").append(line.replace("\n", "\n    " + indent)).append('\n');
            }
            if (!d.nested().isEmpty()) {
                sb.append(indent).append("    inside ").append(d.path()).append(":\n");
                render(sb, d.nested(), indent + "      ");
            }
        }
    }

    /** Paths of differing entries, nested ones as "outer!/inner" (the jar URL convention). */
    public List<String> nestedPaths() {
        List<String> out = new ArrayList<>();
        collect(out, entries, "");
        return out;
    }

    private static void collect(List<String> out, List<EntryDifference> entries, String prefix) {
        for (EntryDifference d : entries) {
            out.add(prefix + d.path());
            collect(out, d.nested(), prefix + d.path() + "!/");
        }
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
        render(sb, entries, "");
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
