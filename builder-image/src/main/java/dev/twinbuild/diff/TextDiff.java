package dev.twinbuild.diff;

/** The first line where two short texts differ, shown as "line N: a → b". */
final class TextDiff {
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

    private static String quote(String s) {
        return "\"" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + "\"";
    }
}
