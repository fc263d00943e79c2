package dev.twinbuild.api.v1alpha1;

public enum InlineFileType { file, directory, symlink }
