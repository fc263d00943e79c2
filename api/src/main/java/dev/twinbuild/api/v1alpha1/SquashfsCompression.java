package dev.twinbuild.api.v1alpha1;

/** mksquashfs compressors (lzma is left out: no kernel reads it). */
public enum SquashfsCompression { gzip, xz, zstd, lzo, lz4 }
