package dev.twinbuild.verify;

import dev.twinbuild.api.v1alpha1.Variation;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides what each build of a verification varies. The values follow reprotest's control/experiment
 * pairs so results compare with what the reproducible-builds community reports.
 */
public final class VariationPlan {
    public static final long CLOCK_OFFSET_SECONDS = ((373L * 24 + 7) * 60 + 13) * 60; // +373d 7h 13m

    private VariationPlan() {
    }

    public static List<VariationSet> plan(EnumSet<Variation> variations, int builds) {
        List<VariationSet> sets = new ArrayList<>();
        for (int i = 0; i < builds; i++) {
            sets.add(forBuild(i, variations));
        }
        return sets;
    }

    public static VariationSet forBuild(int index, EnumSet<Variation> variations) {
        boolean vary = index > 0;
        SortedMap<Variation, String> applied = new TreeMap<>();
        SortedMap<String, String> env = new TreeMap<>();
        String suffix = index == 0 ? "" : "-" + index;

        env.put("TZ", "UTC");
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");
        env.put("HOME", "/nonexistent/first-build");
        String umask = "0022";
        String buildPath = "build-0";
        long clock = 0;
        DirOrder order = DirOrder.NATURAL;
        Integer cpus = null;
        Long uid = null;
        Long gid = null;
        String hostname = null;
        String domain = null;
        if (vary) {
            if (variations.contains(Variation.timezone)) {
                env.put("TZ", index % 2 == 1 ? "GMT-14" : "GMT+12");
                applied.put(Variation.timezone, "TZ=" + env.get("TZ"));
            }
            if (variations.contains(Variation.locales)) {
                String locale = index % 2 == 1 ? "fr_CH.UTF-8" : "ru_RU.CP1251";
                env.put("LANG", locale);
                env.put("LC_ALL", locale);
                env.put("LANGUAGE", locale.substring(0, 5) + ":" + locale.substring(0, 2));
                applied.put(Variation.locales, "LANG=LC_ALL=" + locale);
            }
            if (variations.contains(Variation.home)) {
                env.put("HOME", "/nonexistent/second-build" + suffix);
                applied.put(Variation.home, "HOME=" + env.get("HOME"));
            }
            if (variations.contains(Variation.exec_path)) {
                env.put("TWINBUILD_PATH_APPEND", "/i_capture_the_path");
                applied.put(Variation.exec_path, "PATH+=/i_capture_the_path");
            }
            if (variations.contains(Variation.environment)) {
                env.put("TWINBUILD_CAPTURE_ENVIRONMENT", "i_capture_the_environment" + suffix);
                applied.put(Variation.environment, "TWINBUILD_CAPTURE_ENVIRONMENT set");
            }
            if (variations.contains(Variation.umask)) {
                umask = "0002";
                applied.put(Variation.umask, umask);
            }
            if (variations.contains(Variation.build_path)) {
                buildPath = "build-" + index + "/a/much/longer/build/path";
                applied.put(Variation.build_path, buildPath);
            }
            if (variations.contains(Variation.time)) {
                clock = CLOCK_OFFSET_SECONDS * index;
                applied.put(Variation.time, "clock +" + clock + "s");
            }
            if (variations.contains(Variation.fileordering)) {
                order = DirOrder.REVERSE;
                applied.put(Variation.fileordering, "directories read in reverse order");
            }
            if (variations.contains(Variation.num_cpus)) {
                cpus = 1;
                applied.put(Variation.num_cpus, "1");
            }
            if (variations.contains(Variation.user_group)) {
                uid = 1000L + index;
                gid = 1000L + index;
                applied.put(Variation.user_group, uid + ":" + gid);
            }
            if (variations.contains(Variation.domain_host)) {
                hostname = "i-capture-the-hostname" + suffix;
                domain = "i-capture-the-domain" + suffix;
                applied.put(Variation.domain_host, hostname + "." + domain);
            }
        }
        return new VariationSet(index, applied, env, umask, buildPath, clock, order, cpus, uid, gid, hostname,
                domain);
    }
}
