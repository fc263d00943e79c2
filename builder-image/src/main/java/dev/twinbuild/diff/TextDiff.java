package dev.twinbuild.diff;

import java.util.ArrayList;
import java.util.List;

/** Line differences of two texts: the first differing line, and a unified diff for short texts. */
final class TextDiff {
    static final int MAX_LINES = 4000;
    static final int MAX_OUTPUT_LINES = 120;
    private static final int CONTEXT = 3;

    private TextDiff() {
    }

    static String firstDifference(String a, String b) {
        String[] la = a.split("\n", -1);
        String[] lb = b.split("\n", -1);
        for (int i = 0; i < Math.max(la.length, lb.length); i++) {
            String x = i < la.length ? la[i] : "";
            String y = i < lb.length ? lb[i] : "";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ": " + quote(x) + " → " + quote(y);
            }
        }
        return "differs";
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** One-line JSON (manifests, configs) is compared pretty-printed, so that the diff points at the field. */
    private static String readable(String s) {
        String t = s.strip();
        if (!(t.startsWith("{") || t.startsWith("[")) || t.indexOf('\n') >= 0) {
            return s;
        }
        try {
            return JSON.writeValueAsString(JSON.readValue(t, Object.class)) + "\n";
        } catch (java.io.IOException e) {
            return s;
        }
    }

    /** The first difference, followed by a unified diff when it says more (several changed lines). */
    static String describe(String rawA, String rawB) {
        String a = readable(rawA);
        String b = readable(rawB);
        String first = firstDifference(a, b);
        String unified = unified(a, b);
        return unified == null ? first : first + "\n" + unified;
    }

    /** Unified diff with three lines of context; null when the texts are too long or differ in one line only. */
    static String unified(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        if (x.length > MAX_LINES || y.length > MAX_LINES) {
            return null;
        }
        // Longest common subsequence table, from the end, so the walk below goes forward.
        int[][] lcs = new int[x.length + 1][y.length + 1];
        for (int i = x.length - 1; i >= 0; i--) {
            for (int j = y.length - 1; j >= 0; j--) {
                lcs[i][j] = x[i].equals(y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> ops = new ArrayList<>(); // " text", "-text", "+text"
        int i = 0;
        int j = 0;
        while (i < x.length || j < y.length) {
            if (i < x.length && j < y.length && x[i].equals(y[j])) {
                ops.add(" " + x[i++]);
                j++;
            } else if (j < y.length && (i == x.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
                ops.add("+" + y[j++]);
            } else {
                ops.add("-" + x[i++]);
            }
        }
        long changed = ops.stream().filter(o -> !o.startsWith(" ")).count();
        if (changed <= 2) {
            return null;
        }
        StringBuilder sb = new StringBuilder("--- a\n+++ b\n");
        int lines = 0;
        for (int k = 0; k < ops.size() && lines < MAX_OUTPUT_LINES; k++) {
            boolean near = false;
            for (int d = Math.max(0, k - CONTEXT); d <= Math.min(ops.size() - 1, k + CONTEXT) && !near; d++) {
                near = !ops.get(d).startsWith(" ");
            }
            if (near) {
                if (k == 0 || !nearChange(ops, k - 1)) {
                    sb.append("@@ line ").append(lineOf(ops, k)).append(" @@\n");
                }
                sb.append(ops.get(k)).append('\n');
                lines++;
            }
        }
        if (lines >= MAX_OUTPUT_LINES) {
            sb.append("… (diff cut at ").append(MAX_OUTPUT_LINES).append(" lines)\n");
        }
        return sb.toString().stripTrailing();
    }

    private static boolean nearChange(List<String> ops, int k) {
        for (int d = Math.max(0, k - CONTEXT); d <= Math.min(ops.size() - 1, k + CONTEXT); d++) {
            if (!ops.get(d).startsWith(" ")) {
                return true;
            }
        }
        return false;
    }

    private static int lineOf(List<String> ops, int k) {
        int line = 1;
        for (int d = 0; d < k; d++) {
            if (!ops.get(d).startsWith("+")) {
                line++;
            }
        }
        return line;
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + "\"";
    }
}
