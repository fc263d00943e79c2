package dev.twinbuild.pipeline.tree;

/**
 * Growable primitive columns made of fixed pages: growing never copies what is there, so a table of millions of
 * rows leaves no garbage behind it (doubling arrays would leave as much again, which the heap keeps as RSS).
 */
final class Columns {
    static final int PAGE_BITS = 13;
    static final int PAGE = 1 << PAGE_BITS;
    private static final int MASK = PAGE - 1;

    private Columns() {
    }

    /** A column of ints, 0 until set. */
    static final class Ints {
        private int[][] pages = new int[16][];

        int get(int i) {
            int page = i >>> PAGE_BITS;
            int[] p = page < pages.length ? pages[page] : null;
            return p == null ? 0 : p[i & MASK];
        }

        void set(int i, int v) {
            int page = i >>> PAGE_BITS;
            if (page >= pages.length) {
                pages = java.util.Arrays.copyOf(pages, Math.max(pages.length * 2, page + 1));
            }
            if (pages[page] == null) {
                pages[page] = new int[PAGE];
            }
            pages[page][i & MASK] = v;
        }
    }

    /** A column of longs, 0 until set. */
    static final class Longs {
        private long[][] pages = new long[16][];

        long get(int i) {
            int page = i >>> PAGE_BITS;
            long[] p = page < pages.length ? pages[page] : null;
            return p == null ? 0 : p[i & MASK];
        }

        void set(int i, long v) {
            int page = i >>> PAGE_BITS;
            if (page >= pages.length) {
                pages = java.util.Arrays.copyOf(pages, Math.max(pages.length * 2, page + 1));
            }
            if (pages[page] == null) {
                pages[page] = new long[PAGE];
            }
            pages[page][i & MASK] = v;
        }
    }

    /**
     * Byte strings of at most 255 bytes, each stored once with a length byte before it, never across a page:
     * {@link #add} returns its address.
     */
    static final class Strings {
        private static final int BYTES_BITS = 16;
        private byte[][] pages = new byte[16][];
        private int page = -1;
        private int used = 1 << BYTES_BITS;

        int add(byte[] b) {
            if (b.length > 255) {
                throw new IllegalArgumentException("name component over 255 bytes");
            }
            if (used + 1 + b.length > 1 << BYTES_BITS) {
                page++;
                if (page >= pages.length) {
                    pages = java.util.Arrays.copyOf(pages, pages.length * 2);
                }
                pages[page] = new byte[1 << BYTES_BITS];
                used = 0;
            }
            byte[] p = pages[page];
            p[used] = (byte) b.length;
            System.arraycopy(b, 0, p, used + 1, b.length);
            int address = page << BYTES_BITS | used;
            used += 1 + b.length;
            return address;
        }

        int length(int address) {
            return pages[address >>> BYTES_BITS][address & ((1 << BYTES_BITS) - 1)] & 0xff;
        }

        /** Byte {@code i} of the string at {@code address}, unsigned. */
        int byteAt(int address, int i) {
            return pages[address >>> BYTES_BITS][(address & ((1 << BYTES_BITS) - 1)) + 1 + i] & 0xff;
        }

        boolean equals(int address, byte[] b) {
            byte[] p = pages[address >>> BYTES_BITS];
            int off = address & ((1 << BYTES_BITS) - 1);
            return (p[off] & 0xff) == b.length && java.util.Arrays.equals(p, off + 1, off + 1 + b.length, b, 0, b.length);
        }

        void copy(int address, byte[] to, int at) {
            byte[] p = pages[address >>> BYTES_BITS];
            int off = address & ((1 << BYTES_BITS) - 1);
            System.arraycopy(p, off + 1, to, at, p[off] & 0xff);
        }

        int hash(int address, int seed) {
            byte[] p = pages[address >>> BYTES_BITS];
            int off = address & ((1 << BYTES_BITS) - 1);
            return NodeTable.hash(seed, p, off + 1, off + 1 + (p[off] & 0xff));
        }
    }
}
