package dev.twinbuild.pipeline.tree;

public enum EntryType { FILE, DIR, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO;

    /** Kinds that exist only in metadata: their on-disk placeholder is an empty regular file. */
    public boolean isSpecial() {
        return this == CHAR_DEVICE || this == BLOCK_DEVICE || this == FIFO;
    }
}
