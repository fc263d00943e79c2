#!/usr/bin/env bash
# Filesystem outputs benchmark (issue 14): one spec with three outputs, tar.zst (level 3) + squashfs (zstd) +
# ext4, against the script a user would write for the same three files, measured in the same run on the same
# input as run.sh (a tar of the first BENCH_FILES paths of BENCH_SOURCE). See README.md next to this script.
#
# The user's script, each command timed on its own (/usr/bin/time: wall, peak RSS, user, sys):
#   extract    mkdir S && tar -C S -xf input.tar
#   tar.zst    tar -C S -c --sort=name --mtime=@E --clamp-mtime --owner=0 --group=0 --numeric-owner
#              --format=posix --pax-option=... . | zstd -3 -T<threads>
#   squashfs   mksquashfs S out.squashfs -noappend -no-xattrs -reproducible -comp zstd -processors <threads>
#              (SOURCE_DATE_EPOCH=E; zstd at mksquashfs's default level, as twinbuild's squashfs output)
#   ext4       mkfs.ext4 -q -b 4096 -I 256 -N <twinbuild's inode count> -E root_owner=0:0 -d S out.ext4
#              <twinbuild's block count> (the same geometry, so both write the same inode tables)
#   sha256     sha256sum of the three files
#   rm         rm -rf S (twinbuild removes its work tree within its run)
# twinbuild: `bin/twinbuild build` of the spec (JVM start included), TWINBUILD_TIMINGS=1: its phases
# (prepare, assemble, steps, scan, normalise, outputs) and, per output and per part of an output, the wall
# clock the output code measured (`twinbuild: output-timings` on stderr; outputs written at the same time
# overlap, so those times can add up to more than the outputs phase).
# Printed: best wall clock of BENCH_FORMATS_RUNS rounds (interleaved), CPU (user + sys), peak RSS, the ratio
# twinbuild / script (target <= 2.0), the load average beside each measurement, the digests (the same in
# every round, or the run fails), and both breakdowns.
#
# Environment: BENCH_DIR, BENCH_FILES, BENCH_SOURCE, BENCH_THREADS, TWINBUILD_JAR as run.sh (run.sh calls this
# script at its end with its own copy of the jar and its input; BENCH_FORMATS=0 there skips it),
# BENCH_FORMATS_RUNS (default 2), BENCH_FRESH_FS (lib.sh: a new file system for twinbuild's work tree and for
# the script's, each round).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${BENCH_FORMATS_RUNS:-2}

die() { echo "bench formats: $*" >&2; exit 1; }

[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (apt-get install time)"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "needs GNU tar"
for t in zstd mksquashfs mkfs.ext4 sha256sum java find sort head awk; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || [ -x "/sbin/$t" ] ||
        die "needs $t (Debian: zstd, squashfs-tools, e2fsprogs; .ci/setup.sh installs them)"
done
MKFS=$(command -v mkfs.ext4 || echo /usr/sbin/mkfs.ext4)
[ -f "$JAR_SRC" ] || die "no $JAR_SRC: build it with ./mvnw -q -B -o -DskipTests package -pl builder-image -am"

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
IN=$BENCH_DIR/input
OUT=$BENCH_DIR/formats-out
TIMES=$BENCH_DIR/formats-times
rm -rf "$OUT" "$TIMES" "$BENCH_DIR/formats-scratch"
mkdir -p "$IN" "$OUT" "$TIMES"
if [ "$JAR_SRC" != "$BENCH_DIR/twinbuild.jar" ]; then
    cp "$JAR_SRC" "$BENCH_DIR/formats-twinbuild.jar" # a rebuild during the run changes nothing
    JAR_SRC=$BENCH_DIR/formats-twinbuild.jar
fi
export TWINBUILD_JAR=$JAR_SRC

# --- input: the same as run.sh's (made here when this script runs alone) -------------------------------
INPUT=$IN/input-$FILES.tar
if [ ! -f "$INPUT" ]; then
    echo "== input: first $FILES paths of $SOURCE" >&2
    find "$SOURCE" -xdev -print0 | sort -z > "$IN/list-all"
    head -z -n "$FILES" "$IN/list-all" | sed -z 's|^/||' > "$IN/list-$FILES"
    # exit status 1 is "file changed as we read it": the tar is still a tar, and pinned below as it is
    tar -C / --format=gnu --null --no-recursion -T "$IN/list-$FILES" -cf "$INPUT" || [ $? -eq 1 ]
fi
SPEC=$IN/bench-$FILES-formats.yaml
cat > "$SPEC" <<EOF
apiVersion: twinbuild.dev/v1alpha1
kind: SystemImage
metadata:
  name: bench
spec:
  sourceDateEpoch: $EPOCH
  layers:
    - tar:
        url: input-$FILES.tar
        sha256: "$(sha256sum "$INPUT" | cut -d' ' -f1)"
  outputs:
    - format: tar.zst
      level: 3
    - format: squashfs
    - format: ext4
EOF
entries=$(tar -tf "$INPUT" | wc -l)
bytes=$(stat -c %s "$INPUT")
# the script's scratch tree and twinbuild's TMPDIR on a new file system for each of the two (lib.sh)
fs_init "$BENCH_DIR/formats-work" "$bytes"

# --- measuring ---------------------------------------------------------------------------------------
# timed NAME CMD...: CMD under /usr/bin/time; appends "wall_s peak_rss_kb user_s sys_s load1" to $TIMES/NAME
timed() {
    local name=$1
    shift
    if ! /usr/bin/time -f '%e %M %U %S' -o "$TIMES/.last" "$@" > "$TIMES/$name.out" 2> "$TIMES/$name.err"; then
        cat "$TIMES/$name.err" >&2
        die "$name failed"
    fi
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$(tail -n 1 "$TIMES/.last") $load" >> "$TIMES/$name"
    printf '   %-20s %8.2f s  CPU %7.2f s  %8d KB  load %s\n' "$name" "$(cut -d' ' -f1 < "$TIMES/.last")" \
        "$(awk '{ print $3 + $4 }' "$TIMES/.last")" "$(cut -d' ' -f2 < "$TIMES/.last")" "$load" >&2
}

SCRIPT_STEPS="extract tar.zst squashfs ext4 sha256 rm"
script_step() { # the user's script, one command at a time
    case $1 in
        extract) mkdir "$SCRATCH" && tar -C "$SCRATCH" -xf "$INPUT" ;;
        tar.zst) tar -C "$SCRATCH" -c --sort=name --mtime=@$EPOCH --clamp-mtime --owner=0 --group=0 \
            --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime . |
            zstd -3 -T"$THREADS" -q -c > "$OUT/script.tar.zst" ;;
        squashfs) SOURCE_DATE_EPOCH=$EPOCH mksquashfs "$SCRATCH" "$OUT/script.squashfs" -noappend -no-xattrs \
            -reproducible -quiet -no-progress -comp zstd -processors "$THREADS" ;;
        ext4) rm -f "$OUT/script.ext4"
            "$MKFS" -q -t ext4 -b 4096 -I 256 -N "$EXT4_INODES" -E root_owner=0:0 -d "$SCRATCH" "$OUT/script.ext4" \
                "$EXT4_BLOCKS" ;;
        sha256) sha256sum "$OUT/script.tar.zst" "$OUT/script.squashfs" "$OUT/script.ext4" ;;
        rm) rm -rf "$SCRATCH" ;;
    esac
}
export -f script_step
export SCRATCH INPUT OUT EPOCH THREADS MKFS
export TWINBUILD_TIMINGS=1

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== formats: tar.zst + squashfs + ext4, $RUNS rounds on $entries entries, $((bytes / 1048576)) MiB;" \
    "load average $START_LOAD" >&2
for round in $(seq 1 "$RUNS"); do
    echo "-- round $round" >&2
    rm -rf "$OUT/tb"
    fs_fresh
    sync
    timed tb "$TWINBUILD" build "$SPEC" --out "$OUT/tb" --threads "$THREADS"
    for f in bench.tar.zst bench.squashfs bench.ext4; do
        awk -v f="$f" '$2 == f { print $1 }' "$TIMES/tb.out" >> "$TIMES/digest-$f"
    done
    # the script's ext4 gets twinbuild's geometry: blocks from the image size, inodes from its superblock
    EXT4_BLOCKS=$(( $(stat -c %s "$OUT/tb/bench.ext4") / 4096 ))
    EXT4_INODES=$(/usr/sbin/dumpe2fs -h "$OUT/tb/bench.ext4" 2>/dev/null | awk -F: '/^Inode count/ { gsub(/ /, "", $2); print $2 }')
    export EXT4_BLOCKS EXT4_INODES
    tb_sizes=$(stat -c %s "$OUT/tb/bench.tar.zst" "$OUT/tb/bench.squashfs" "$OUT/tb/bench.ext4")
    rm -rf "$OUT/tb"
    fs_fresh
    sync
    for s in $SCRIPT_STEPS; do
        timed "script-$s" bash -c "script_step $s"
    done
    sc_sizes=$(stat -c %s "$OUT/script.tar.zst" "$OUT/script.squashfs" "$OUT/script.ext4")
    paste -d' ' <(echo "$tb_sizes") <(echo "$sc_sizes") | awk '{ printf "%s%.1f/%.1f MiB", (NR > 1 ? ", " : ""), $1 / 1048576, $2 / 1048576 }' \
        > "$TIMES/sizes"
    rm -f "$OUT"/script.*
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------------------------------
# per round: the script's total is the sum of its steps (wall, CPU)
paste -d' ' $(for s in $SCRIPT_STEPS; do echo "$TIMES/script-$s"; done) |
    awk '{ w = 0; c = 0; for (i = 1; i <= NF; i += 5) { w += $i; c += $(i + 2) + $(i + 3) } print w, c }' \
    > "$TIMES/script-total"
best_wall() { cut -d' ' -f1 "$TIMES/$1" | sort -n | head -n 1; }
best_cpu() { awk '{ print $3 + $4 }' "$TIMES/$1" | sort -n | head -n 1; }
max_rss() { cut -d' ' -f2 "$TIMES/$1" | sort -n | tail -n 1; }
loads() { cut -d' ' -f5 "$TIMES/$1" | paste -sd/; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
tb=$(best_wall tb)
tb_cpu=$(best_cpu tb)
sc=$(cut -d' ' -f1 "$TIMES/script-total" | sort -n | head -n 1)
sc_cpu=$(cut -d' ' -f2 "$TIMES/script-total" | sort -n | head -n 1)
r=$(ratio "$tb" "$sc")
same=yes
for f in bench.tar.zst bench.squashfs bench.ext4; do
    [ "$(sort -u "$TIMES/digest-$f" | wc -l)" = 1 ] || same=NO
done
{
    echo
    echo "Filesystem outputs (tar.zst level 3 + squashfs zstd + ext4): $entries entries, $((bytes / 1048576)) MiB" \
        "from $SOURCE; $(nproc) cores, $THREADS threads; best of $RUNS"
    echo "  load average $START_LOAD at the start, $END_LOAD at the end; $(fs_note)"
    echo
    printf '  %-34s %8s %8s %10s  %s\n' "" "wall s" "CPU s" "peak RSS" "load (per round)"
    printf '  %-34s %8.2f %8.2f %7d KB  %s\n' "twinbuild build (3 outputs)" "$tb" "$tb_cpu" "$(max_rss tb)" "$(loads tb)"
    printf '  %-34s %8.2f %8.2f\n' "user's script (sum of its steps)" "$sc" "$sc_cpu"
    for s in $SCRIPT_STEPS; do
        printf '  %-34s %8.2f %8.2f %7d KB  %s\n' "    $s" "$(best_wall "script-$s")" "$(best_cpu "script-$s")" \
            "$(max_rss "script-$s")" "$(loads "script-$s")"
    done
    echo
    printf '  %-34s %8s %8s  %s\n' "twinbuild / script" "$r" "<= 2.0" \
        "$(awk -v r="$r" 'BEGIN { print (r <= 2.0 ? "ok" : "MISSED") }')"
    printf '  %-34s %8s\n' "    CPU (user + sys)" "$(ratio "$tb_cpu" "$sc_cpu")"
    line=$(grep -h '^twinbuild: timings' "$TIMES/tb.err" | tail -n 1 | sed 's/^twinbuild: timings //')
    wall=$(tail -n 1 "$TIMES/tb" | cut -d' ' -f1)
    rest=$(echo "$line" | tr ' ' '\n' | awk -F= -v w="$wall" '{ s += $2 } END { printf "%.2f", w - s }')
    printf '  %-34s %s\n' "twinbuild phases (s), last run" "$line; JVM start + work-tree removal=$rest"
    printf '  %-34s %s\n' "twinbuild outputs (s), last run" \
        "$(grep -h '^twinbuild: output-timings' "$TIMES/tb.err" | tail -n 1 | sed 's/^twinbuild: output-timings //')"
    printf '  %-34s %8s\n' "digests the same in every round" "$same"
    for f in bench.tar.zst bench.squashfs bench.ext4; do
        printf '  %-34s %s\n' "    $f" "$(head -n 1 "$TIMES/digest-$f")"
    done
    printf '  %-34s %s\n' "sizes tar.zst, squashfs, ext4 (twinbuild/script)" "$(cat "$TIMES/sizes" 2>/dev/null || echo -)"
    echo
    echo "finished in $(( $(date +%s) - START )) s; per run (wall_s rss_kb user_s sys_s load1) in $TIMES"
}
[ "$same" = yes ] || die "twinbuild's outputs differ between rounds"
