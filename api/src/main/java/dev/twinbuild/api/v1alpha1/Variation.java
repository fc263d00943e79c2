package dev.twinbuild.api.v1alpha1;

/** What differs between two builds, named as reprotest names them. */
public enum Variation {
    environment, build_path, time, timezone, locales, umask, user_group, fileordering, home, exec_path,
    num_cpus, domain_host
}
