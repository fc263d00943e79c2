package dev.twinbuild.packages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stanzas of Debian control data (Packages indices, apt-cache show, dpkg status), continuation lines joined. */
final class Deb822 {
    private Deb822() {
    }

    static List<Map<String, String>> parse(String text) {
        List<Map<String, String>> stanzas = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                if (!cur.isEmpty()) {
                    stanzas.add(cur);
                    cur = new LinkedHashMap<>();
                }
                last = null;
            } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                cur.put(last, cur.get(last) + "\n" + line);
            } else {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    last = line.substring(0, colon);
                    cur.put(last, line.substring(colon + 1).strip());
                }
            }
        }
        if (!cur.isEmpty()) {
            stanzas.add(cur);
        }
        return stanzas;
    }
}
