# Shared by run.sh and formats.sh (sourced): the settings both read, and the fresh file system each measured
# command runs on.
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODULE=$(cd "$HERE/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$MODULE/target/bench}
FILES=${BENCH_FILES:-50000}
SOURCE=${BENCH_SOURCE:-/usr/share}
THREADS=${BENCH_THREADS:-$(nproc)}
JAR_SRC=${TWINBUILD_JAR:-$MODULE/target/twinbuild.jar}
FRESH=${BENCH_FRESH_FS:-auto}
EPOCH=1700000000
START=$(date +%s)
TWINBUILD=$MODULE/bin/twinbuild

# --- a fresh file system per measurement ------------------------------------------------------------
# Why: on ext4 without a journal (this machine's root file system), inodes freed in the last minute (five, while
# their table blocks are dirty) are skipped when new ones are allocated (fs/ext4/ialloc.c, recently_deleted), so
# a tree extracted soon after another was removed takes several times longer: the same `tar -x` measured
# 4.7 s first and 25 s after two removals in one run. Whoever ran first won. So each measured command that
# writes a tree gets a new, empty ext4 (a loop-mounted sparse file, mkfs.ext4 with the host's defaults: a
# journal, as on a fresh machine), the same for twinbuild and for the GNU tools. The input and the outputs stay
# where they are. Needs root and loop devices; without them (or BENCH_FRESH_FS=0) the work trees share
# BENCH_DIR's file system and the report says so.
FS_IMG=
FS_DIR=
# fs_init DIR INPUT_BYTES: decide, and make the mount point (fs_fresh mounts it), 3 times the input or 4 GiB;
# the work trees go there: SCRATCH (the GNU tools') and TMPDIR (twinbuild's).
fs_init() {
    FS_DIR=$1
    FS_SIZE=$(( $2 * 3 > 4 << 30 ? $2 * 3 : 4 << 30 ))
    SCRATCH=$FS_DIR/scratch
    export TMPDIR=$FS_DIR/tmp
    mkdir -p "$FS_DIR"
    if [ "$FRESH" = 0 ]; then
        FRESH=0
        return
    fi
    FS_IMG=$FS_DIR.img
    if [ "$(id -u)" = 0 ] && fs_fresh 2>/dev/null; then
        FRESH=1
        trap fs_release EXIT
    else
        [ "$FRESH" = auto ] || die "BENCH_FRESH_FS=$FRESH: cannot loop-mount a file system (needs root and /dev/loop*)"
        FRESH=0
        echo "bench: no fresh file system per measurement (needs root and loop devices): work trees share" \
            "$BENCH_DIR's file system, where earlier removals can slow later extractions" >&2
    fi
}
fs_fresh() { # an empty ext4 at FS_DIR (when FRESH=0, the same directory as before), with TMPDIR in it
    if [ "$FRESH" != 0 ]; then
        fs_release
        rm -f "$FS_IMG"
        truncate -s "$FS_SIZE" "$FS_IMG"
        mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$FS_IMG" >/dev/null
        mount -o loop "$FS_IMG" "$FS_DIR"
    fi
    mkdir -p "$TMPDIR"
}
fs_release() {
    if mountpoint -q "$FS_DIR" 2>/dev/null; then
        umount "$FS_DIR"
    fi
    [ -z "$FS_IMG" ] || rm -f "$FS_IMG"
}
fs_note() { # one line for the report
    if [ "$FRESH" = 1 ]; then
        echo "work trees on a new ext4 per measurement ($(( FS_SIZE >> 30 )) GiB loop file system; BENCH_FRESH_FS=0: off)"
    else
        echo "work trees on $BENCH_DIR's file system, shared by every measurement (no fresh file system)"
    fi
}
