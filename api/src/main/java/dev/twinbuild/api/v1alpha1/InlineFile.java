package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A file, directory or symlink written into the tree from the spec itself. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class InlineFile {
    @Required
    @Pattern(Patterns.ABSOLUTE_PATH)
    @Size(max = 4096)
    public String path;

    @JsonPropertyDescription("file (default), directory or symlink")
    public InlineFileType type;

    @JsonPropertyDescription("Content of a regular file (UTF-8).")
    @Size(max = 1048576)
    public String content;

    @JsonPropertyDescription("Target of a symlink.")
    @Size(max = 4096)
    public String target;

    @Pattern(Patterns.MODE)
    @JsonPropertyDescription("Octal permission bits; default 0644 (files) or 0755 (directories).")
    @Size(max = 5)
    public String mode;

    @Min(0)
    public Long uid;

    @Min(0)
    public Long gid;

    public InlineFileType typeOrDefault() {
        return type != null ? type : InlineFileType.file;
    }
}
