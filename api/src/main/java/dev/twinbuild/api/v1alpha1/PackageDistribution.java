package dev.twinbuild.api.v1alpha1;

/** Distributions a packages layer can install from; each has its resolver and installer. */
public enum PackageDistribution { debian }
