package dev.twinbuild.api.v1alpha1;

/** The base package set, as mmdebstrap names it; minbase is the same set as required. */
public enum PackageVariant { essential, apt, required, minbase, important, standard }
