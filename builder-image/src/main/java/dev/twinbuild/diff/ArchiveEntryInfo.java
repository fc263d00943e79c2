package dev.twinbuild.diff;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a differ compares of one archive entry.
 *
 * @param index   position in the archive (for order differences)
 * @param preview the content when it is short text, for showing how it differs
 */
@JsonPropertyOrder(alphabetic = true)
public record ArchiveEntryInfo(int index, String name, String type, int mode, long uid, long gid, String owner,
                               long mtime, long size, String linkTarget, String sha256,
                               @JsonIgnore String preview) {
}
