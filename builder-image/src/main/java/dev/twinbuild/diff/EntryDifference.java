package dev.twinbuild.diff;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * How one path differs between two archives.
 *
 * @param kinds   e.g. content, mode, owner, mtime, link-target, type, size, only-in-a, only-in-b
 * @param details human-readable "a → b" lines, one per kind (a content line may carry a unified diff)
 * @param nested  for an entry that is itself an archive or compressed file: how its inside differs
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public record EntryDifference(String path, List<String> kinds, List<String> details, List<EntryDifference> nested) {

    public EntryDifference(String path, List<String> kinds, List<String> details) {
        this(path, kinds, details, List.of());
    }

    public EntryDifference withNested(List<EntryDifference> inner) {
        return new EntryDifference(path, kinds, details, inner);
    }
}
