package dev.twinbuild.api.v1alpha1;

/** gzip: header name/time removed; zip: entry times and order fixed; json: keys sorted; mo: gettext header dates fixed. */
public enum NormalizerType { gzip, zip, json, mo }
