#!/usr/bin/env bash
# Twinbuild benchmark: `twinbuild build` against the manual route and the hashing floor, in one run, on
# the same input. See README.md next to this script.
#
# Input: a tar of the first BENCH_FILES (50000) paths of BENCH_SOURCE (/usr/share) in byte order
# (find | LC_ALL=C sort | head: the same subset every time), made with GNU tar's default format (gnu:
# no atime/ctime, no PID in header names, so the tar is the same from run to run), plus manifests that
# pin it by sha256 (sourceDateEpoch E=1700000000) with outputs [{format: tar}] and [{format: tar.gz}].
#
# Measured, best wall clock of BENCH_RUNS (3) interleaved rounds, peak RSS by /usr/bin/time:
#   twinbuild tar     bin/twinbuild build bench-tar.yaml: verify the pin, extract, normalise, write the
#                     tar and its SHA-256, remove the work tree. JVM start included; the launcher's JVM
#                     flags are printed. TMPDIR puts its work directory next to the manual route's.
#   (a) manual        tar -x into a scratch dir; tar -c --sort=name --mtime=@E --clamp-mtime --owner=0
#                     --group=0 --numeric-owner --format=posix --pax-option=...; sha256sum; then rm -rf of
#                     the scratch dir. twinbuild removes its work tree within its run, so the route it is
#                     compared with leaves nothing behind either; the ratio without the rm is printed too.
#   (b) floor         sha256sum input.tar
#   gzip -6 -n        of twinbuild's own output tar (the very bytes its tar.gz build compresses)
#   twinbuild gzip    GzipBench.java: the same ParallelGzipOutputStream (level 6) that a tar.gz build
#                     uses, on the same tar, as a JVM process with the launcher's flags (start included).
#                     This isolates compression fairly; its output must be byte-identical to the tar.gz
#                     that `twinbuild build` writes, which the script checks. Also printed: the whole
#                     tar.gz build against (a) + gzip, and (tar.gz build - tar build) against gzip.
#   zstd -3           of twinbuild's own output tar, against the tar.zst build (level 3, --threads N): printed
#                     as (tar.zst build - tar build) / zstd -3, the whole build against (a) + zstd, and sizes.
#   twinbuild step    the tar build of the same input with one trivial step (writes $ROOTFS/bench-step),
#                     so the tree must be extracted; compared with (a) plus the same write between its
#                     tar -x and tar -c (and its rm -rf). The tar build above has no steps: its tree stays
#                     an index of entries, contents read where they lie in the input, nothing extracted.
# Per phase: twinbuild's own wall clock of prepare (tool versions), assemble (verify, extract or index),
# steps, scan, normalise and outputs (TWINBUILD_TIMINGS=1), the rest being JVM start and the removal of
# its work tree; printed for the last run of the tar build and of the one-step build.
# Once: the tar.gz build with --threads 1 (must equal the --threads N output byte for byte) and the tar
# build of the first BENCH_SMALL_FILES (25000) paths, to compare peak RSS across input sizes.
# Peak RSS by entry count (issue 14: flat memory): tar builds (no steps) of synthetic tars of
# BENCH_RSS_ENTRIES (25000 100000 400000) small files (SyntheticTar.java: the same names and bytes every
# time, 100 files a directory), each once; printed with the ratio of the last to the first (target <= 1.2)
# and the largest (target < 300 MiB).
#
# Environment: BENCH_DIR (default builder-image/target/bench; the default work dir of the manual route
# and of twinbuild alike), BENCH_RUNS, BENCH_FILES, BENCH_SMALL_FILES, BENCH_SOURCE, BENCH_THREADS
# (default nproc), BENCH_GZIP (default 1; 0 skips gzip, GzipBench and the tar.gz builds, for quick runs),
# BENCH_ZSTD (default 1 when zstd is installed: the tar.zst build, level 3, against zstd -3 of the tar build's
# output; it must decompress to that tar), BENCH_RSS_ENTRIES (entry counts of the peak-RSS series; empty skips it), TWINBUILD_JAR (default
# builder-image/target/twinbuild.jar; copied first, so a rebuild during the run changes nothing), BENCH_FRESH_FS
# (default auto: a new loop-mounted ext4 for the work trees of every measurement when root can mount one, see
# lib.sh; 0: the work trees share BENCH_DIR's file system).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${BENCH_RUNS:-3}
SMALL=${BENCH_SMALL_FILES:-$((FILES / 2))}
GZ=${BENCH_GZIP:-1}
ZST=${BENCH_ZSTD:-$(command -v zstd >/dev/null && echo 1 || echo 0)}
RSS_ENTRIES=${BENCH_RSS_ENTRIES-25000 100000 400000}

die() { echo "bench: $*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench: installing GNU time (for peak RSS)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null || {
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
    fi
    [ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (apt-get install time)"
fi
tar --version 2>/dev/null | grep -q 'GNU tar' || die "needs GNU tar"
for t in gzip sha256sum java javac find sort head awk; do
    command -v "$t" >/dev/null || die "needs $t"
done
[ -f "$JAR_SRC" ] || die "no $JAR_SRC: build it with ./mvnw -q -B -o -DskipTests package -pl builder-image -am"

# --- setup ------------------------------------------------------------------------------------------
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
IN=$BENCH_DIR/input
OUT=$BENCH_DIR/out
TIMES=$BENCH_DIR/times
rm -rf "$OUT" "$TIMES" "$BENCH_DIR/scratch" "$BENCH_DIR/tmp" "$BENCH_DIR/classes"
mkdir -p "$IN" "$OUT" "$TIMES" "$BENCH_DIR/classes"

cp "$JAR_SRC" "$BENCH_DIR/twinbuild.jar"
export TWINBUILD_JAR=$BENCH_DIR/twinbuild.jar
JVM_FLAGS=$("$TWINBUILD" --jvm-flags)
javac -nowarn -cp "$TWINBUILD_JAR" -d "$BENCH_DIR/classes" "$HERE/GzipBench.java" "$HERE/SyntheticTar.java"

echo "== input: first $FILES paths of $SOURCE (and first $SMALL)" >&2
find "$SOURCE" -xdev -print0 | sort -z > "$IN/list-all" # whole, then cut: head would SIGPIPE the pipeline
head -z -n "$FILES" "$IN/list-all" | sed -z 's|^/||' > "$IN/list-$FILES"
head -z -n "$SMALL" "$IN/list-$FILES" > "$IN/list-$SMALL"
make_input() { # N: input-N.tar and its manifests
    local n=$1 sha
    rm -f "$IN/input-$n.tar"
    # exit status 1 is "file changed as we read it": the tar is still a tar, and pinned below as it is
    tar -C / --format=gnu --null --no-recursion -T "$IN/list-$n" -cf "$IN/input-$n.tar" || [ $? -eq 1 ]
    sha=$(sha256sum "$IN/input-$n.tar" | cut -d' ' -f1)
    for fmt in tar tar.gz; do
        cat > "$IN/bench-$n-$fmt.yaml" <<EOF
apiVersion: twinbuild.dev/v1alpha1
kind: SystemImage
metadata:
  name: bench
spec:
  sourceDateEpoch: $EPOCH
  layers:
    - tar:
        url: input-$n.tar
        sha256: "$sha"
  outputs: [{format: $fmt}]
EOF
    done
    sed 's|outputs: \[{format: tar}\]|outputs: [{format: tar.zst, level: 3}]|' "$IN/bench-$n-tar.yaml" > "$IN/bench-$n-tar.zst.yaml"
    sed 's|^  outputs:|  steps:\n    - name: bench-step\n      run: echo step > "$ROOTFS/bench-step"\n  outputs:|' \
        "$IN/bench-$n-tar.yaml" > "$IN/bench-$n-step.yaml"
}
make_input "$FILES"
make_input "$SMALL"
INPUT=$IN/input-$FILES.tar
entries=$(tar -tf "$INPUT" | wc -l)
bytes=$(stat -c %s "$INPUT")
# the work trees (the manual route's scratch directory, twinbuild's TMPDIR) on a new file system per measurement
fs_init "$BENCH_DIR/work" "$bytes"

# --- measuring --------------------------------------------------------------------------------------
# measure NAME CMD...: runs CMD under /usr/bin/time after a sync (so that no earlier run's writeback
# lands in this one) and appends "wall_s peak_rss_kb user_s sys_s" to $TIMES/NAME. A new file system for the
# work trees first (lib.sh), except for manual-rm, which removes the tree the measurement before it wrote.
measure() {
    local name=$1
    shift
    [ "$name" = manual-rm ] || fs_fresh
    sync
    if ! /usr/bin/time -f '%e %M %U %S' -o "$TIMES/.last" "$@" > "$TIMES/$name.out" 2> "$TIMES/$name.err"; then
        cat "$TIMES/$name.err" >&2
        die "$name failed"
    fi
    tail -n 1 "$TIMES/.last" >> "$TIMES/$name"
    printf '   %-16s %7.2f s  %7d KB  load %s\n' "$name" "$(cut -d' ' -f1 < "$TIMES/.last")" \
        "$(cut -d' ' -f2 < "$TIMES/.last")" "$(cut -d' ' -f1 /proc/loadavg)" >&2
}
best() { sort -n "$TIMES/$1" | head -n 1 | cut -d' ' -f1; }
rss() { sort -k2,2n "$TIMES/$1" | tail -n 1 | cut -d' ' -f2; }
# least CPU time (user + sys, all threads and children) of the runs
cpu() { awk '{ print $3 + $4 }' "$TIMES/$1" | sort -n | head -n 1; }
cpu_sum() { paste -d' ' "$TIMES/$1" "$TIMES/$2" | awk '{ print $3 + $4 + $7 + $8 }' | sort -n | head -n 1; }
# best of per-round sums of two measurements
best_sum() { paste -d' ' "$TIMES/$1" "$TIMES/$2" | awk '{print $1 + $5}' | sort -n | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "ok" : "MISSED") }'; }
digest_of() { awk -v f="$2" '$2 == f { print $1 }' "$TIMES/$1.out"; }

manual_route() {
    mkdir "$SCRATCH"
    tar -C "$SCRATCH" -xf "$INPUT"
    tar -C "$SCRATCH" -cf "$OUT/manual.tar" --sort=name --mtime=@$EPOCH --clamp-mtime --owner=0 --group=0 \
        --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime .
    sha256sum "$OUT/manual.tar"
}
manual_step_route() {
    mkdir "$SCRATCH"
    tar -C "$SCRATCH" -xf "$INPUT"
    echo step > "$SCRATCH/bench-step"
    tar -C "$SCRATCH" -cf "$OUT/manual-step.tar" --sort=name --mtime=@$EPOCH --clamp-mtime --owner=0 --group=0 \
        --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime .
    sha256sum "$OUT/manual-step.tar"
    rm -rf "$SCRATCH"
}
export -f manual_route manual_step_route
export SCRATCH INPUT OUT EPOCH
# twinbuild prints its wall clock per phase to stderr (the breakdown in the report)
export TWINBUILD_TIMINGS=1

# The launcher writes its class archive (AppCDS, bin/twinbuild) in the first run with a new jar, and that run
# takes longer and more memory: that run is this one, unmeasured.
fs_fresh
"$TWINBUILD" build "$IN/bench-$SMALL-tar.yaml" --out "$OUT/warm-up" > /dev/null 2>&1 || die "the warm-up build failed"
rm -rf "$OUT/warm-up"

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $RUNS rounds on $entries entries, $((bytes / 1048576)) MiB; load average $START_LOAD" >&2
for round in $(seq 1 "$RUNS"); do
    echo "-- round $round" >&2
    measure floor sha256sum "$INPUT"
    measure manual bash -c manual_route
    measure manual-rm rm -rf "$SCRATCH"
    rm -rf "$OUT/tb-tar"
    measure tb-tar "$TWINBUILD" build "$IN/bench-$FILES-tar.yaml" --out "$OUT/tb-tar"
    measure manual-step bash -c manual_step_route
    rm -rf "$OUT/tb-step"
    measure tb-step "$TWINBUILD" build "$IN/bench-$FILES-step.yaml" --out "$OUT/tb-step"
    if [ "$GZ" = 1 ]; then
        measure gzip bash -c "gzip -6 -n -c '$OUT/tb-tar/bench.tar' > '$OUT/gzip.tar.gz'"
        # shellcheck disable=SC2086 # JVM_FLAGS are words
        measure tb-gzip java $JVM_FLAGS -cp "$TWINBUILD_JAR:$BENCH_DIR/classes" GzipBench \
            "$OUT/tb-tar/bench.tar" "$OUT/pgz.tar.gz" "$THREADS"
        rm -rf "$OUT/tb-targz"
        measure tb-targz "$TWINBUILD" build "$IN/bench-$FILES-tar.gz.yaml" --out "$OUT/tb-targz" --threads "$THREADS"
        digest_of tb-targz bench.tar.gz >> "$TIMES/targz-digests"
    fi
    if [ "$ZST" = 1 ]; then
        measure zstd bash -c "zstd -3 -q -c '$OUT/tb-tar/bench.tar' > '$OUT/zstd.tar.zst'"
        rm -rf "$OUT/tb-tarzst"
        measure tb-tarzst "$TWINBUILD" build "$IN/bench-$FILES-tar.zst.yaml" --out "$OUT/tb-tarzst" --threads "$THREADS"
        zstd -q -d -c "$OUT/tb-tarzst/bench.tar.zst" | cmp -s - "$OUT/tb-tar/bench.tar" ||
            die "the tar.zst build does not decompress to the tar build's bytes"
    fi
    [ "$(digest_of tb-tar bench.tar)" = "$(sha256sum < "$OUT/tb-tar/bench.tar" | cut -d' ' -f1)" ] ||
        die "twinbuild printed a digest that is not its output's"
    digest_of tb-tar bench.tar >> "$TIMES/tar-digests"
done
echo "-- once" >&2
if [ "$GZ" = 1 ]; then
    rm -rf "$OUT/tb-targz-1"
    measure tb-targz-t1 "$TWINBUILD" build "$IN/bench-$FILES-tar.gz.yaml" --out "$OUT/tb-targz-1" --threads 1
fi
rm -rf "$OUT/tb-tar-small"
measure tb-tar-small "$TWINBUILD" build "$IN/bench-$SMALL-tar.yaml" --out "$OUT/tb-tar-small"
if [ "$GZ" = 1 ]; then gzip -t "$OUT/pgz.tar.gz" || die "GzipBench wrote a broken gzip"; fi
for n in $RSS_ENTRIES; do
    if [ ! -f "$IN/synthetic-$n.tar" ]; then
        # shellcheck disable=SC2086 # JVM_FLAGS are words
        java $JVM_FLAGS -cp "$TWINBUILD_JAR:$BENCH_DIR/classes" SyntheticTar "$n" "$IN/synthetic-$n.tar"
    fi
    sed -e "s|input-$FILES.tar|synthetic-$n.tar|" \
        -e "s|\"[0-9a-f]\{64\}\"|\"$(sha256sum "$IN/synthetic-$n.tar" | cut -d' ' -f1)\"|" \
        "$IN/bench-$FILES-tar.yaml" > "$IN/synthetic-$n.yaml"
    rm -rf "$OUT/tb-rss-$n"
    echo "   (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    measure "tb-rss-$n" "$TWINBUILD" build "$IN/synthetic-$n.yaml" --out "$OUT/tb-rss-$n"
    rm -rf "$OUT/tb-rss-$n"
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------------
tb=$(best tb-tar)
a=$(best_sum manual manual-rm)
a_norm=$(best manual)
b=$(best floor)
r_a=$(ratio "$tb" "$a")
r_b=$(ratio "$tb" "$b")
tbs=$(best tb-step)
ms=$(best manual-step)
r_s=$(ratio "$tbs" "$ms")
same_tar=$([ "$(sort -u "$TIMES/tar-digests" | wc -l)" = 1 ] && echo yes || echo NO)
same_threads=yes
same_pgz=yes
if [ "$GZ" = 1 ]; then
    gz=$(best gzip)
    pgz=$(best tb-gzip)
    tbgz=$(best tb-targz)
    r_gz=$(ratio "$pgz" "$gz")
    d_t2=$(digest_of tb-targz bench.tar.gz)
    d_t1=$(digest_of tb-targz-t1 bench.tar.gz)
    d_pgz=$(sha256sum < "$OUT/pgz.tar.gz" | cut -d' ' -f1)
    same_threads=$([ "$d_t1" = "$d_t2" ] && [ "$(sort -u "$TIMES/targz-digests" | wc -l)" = 1 ] && echo yes || echo NO)
    same_pgz=$([ "$d_pgz" = "$d_t2" ] && echo yes || echo NO)
fi
rss_small=$(rss tb-tar-small)
rss_big=$(rss tb-tar)

row() { printf '  %-46s %8.2f %8.2f %10s\n' "$1" "$2" "$3" "$4"; }
{
    echo
    echo "Twinbuild benchmark: $entries entries, $((bytes / 1048576)) MiB from $SOURCE; $(nproc) cores; best of $RUNS"
    echo "  JVM: $(java -version 2>&1 | head -n 1); launcher flags: $JVM_FLAGS"
    echo "  load average $START_LOAD at the start, $END_LOAD at the end: other work on the machine inflates every number"
    echo "  $(fs_note)"
    echo
    printf '  %-46s %8s %8s %10s\n' "" "wall s" "CPU s" "peak RSS"
    row "twinbuild build, tar" "$tb" "$(cpu tb-tar)" "$(rss tb-tar) KB"
    row "(a) tar -x + tar -c ... + sha256sum + rm -rf" "$a" "$(cpu_sum manual manual-rm)" "$(rss manual) KB"
    row "    (a) without the rm -rf" "$a_norm" "$(cpu manual)" ""
    row "(b) sha256sum input.tar" "$b" "$(cpu floor)" "$(rss floor) KB"
    row "twinbuild build, tar, one step" "$tbs" "$(cpu tb-step)" "$(rss tb-step) KB"
    row "(a) with the same step, + rm -rf" "$ms" "$(cpu manual-step)" "$(rss manual-step) KB"
    if [ "$GZ" = 1 ]; then
        row "gzip -6 -n bench.tar" "$gz" "$(cpu gzip)" "$(rss gzip) KB"
        row "twinbuild gzip (GzipBench, $THREADS threads)" "$pgz" "$(cpu tb-gzip)" "$(rss tb-gzip) KB"
        row "twinbuild build, tar.gz ($THREADS threads)" "$tbgz" "$(cpu tb-targz)" "$(rss tb-targz) KB"
        row "twinbuild build, tar.gz (1 thread, once)" "$(best tb-targz-t1)" "$(cpu tb-targz-t1)" \
            "$(rss tb-targz-t1) KB"
    fi
    if [ "$ZST" = 1 ]; then
        row "zstd -3 bench.tar" "$(best zstd)" "$(cpu zstd)" "$(rss zstd) KB"
        row "twinbuild build, tar.zst level 3 ($THREADS thr.)" "$(best tb-tarzst)" "$(cpu tb-tarzst)" \
            "$(rss tb-tarzst) KB"
    fi
    row "twinbuild build, tar, $SMALL entries (once)" "$(best tb-tar-small)" "$(cpu tb-tar-small)" "$rss_small KB"
    echo
    printf '  %-46s %8s %8s\n' "ratios (wall clock)" "" "target"
    printf '  %-46s %8s %8s  %s\n' "twinbuild tar (no steps) / (a)" "$r_a" "<= 0.5" "$(verdict "$r_a" 0.5)"
    printf '  %-46s %8s\n' "    / (a) without the rm -rf" "$(ratio "$tb" "$a_norm")"
    printf '  %-46s %8s %8s  %s\n' "twinbuild tar (no steps) / (b)" "$r_b" "<= 2" "$(verdict "$r_b" 2)"
    printf '  %-46s %8s %8s  %s\n' "twinbuild tar, one step / (a) with the step" "$r_s" "<= 1.0" \
        "$(verdict "$r_s" 1.0)"
    if [ "$GZ" = 1 ]; then
        printf '  %-46s %8s %8s  %s\n' "twinbuild gzip / gzip -6 -n" "$r_gz" "<= 0.6" "$(verdict "$r_gz" 0.6)"
        # The compressor's CPU against gzip's: the wall-clock ratio can only go below it by as many cores as the
        # scheduler gives this run (with autogroup, one group's share however many threads it has).
        printf '  %-46s %8s\n' "    CPU: twinbuild gzip / gzip -6 -n" "$(ratio "$(cpu tb-gzip)" "$(cpu gzip)")"
        printf '  %-46s %8s\n' "    tar.gz build / ((a) + gzip)" \
            "$(ratio "$tbgz" "$(awk -v x="$a" -v y="$gz" 'BEGIN { print x + y }')")"
        printf '  %-46s %8s\n' "    (tar.gz build - tar build) / gzip" \
            "$(ratio "$(awk -v x="$tbgz" -v y="$tb" 'BEGIN { print x - y }')" "$gz")"
    fi
    if [ "$ZST" = 1 ]; then
        zs=$(best zstd)
        tbzs=$(best tb-tarzst)
        printf '  %-46s %8s\n' "(tar.zst build - tar build) / zstd -3" \
            "$(ratio "$(awk -v x="$tbzs" -v y="$tb" 'BEGIN { print x - y }')" "$zs")"
        printf '  %-46s %8s\n' "    tar.zst build / ((a) + zstd -3)" \
            "$(ratio "$tbzs" "$(awk -v x="$a" -v y="$zs" 'BEGIN { print x + y }')")"
        printf '  %-46s %8s\n' "    sizes: tar.zst build / zstd -3" \
            "$(ratio "$(stat -c %s "$OUT/tb-tarzst/bench.tar.zst")" "$(stat -c %s "$OUT/zstd.tar.zst")")"
    fi
    printf '  %-46s %8s\n' "    CPU: twinbuild tar / (a), / (b)" \
        "$(ratio "$(cpu tb-tar)" "$(cpu_sum manual manual-rm)"), $(ratio "$(cpu tb-tar)" "$(cpu floor)")"
    printf '  %-46s %8s\n' "    CPU: twinbuild one step / (a) with the step" \
        "$(ratio "$(cpu tb-step)" "$(cpu manual-step)")"
    if [ "$GZ" = 1 ]; then
        printf '  %-46s %8s  %s\n' "tar.gz identical, --threads 1 and $THREADS" "$same_threads" "$d_t2"
        printf '  %-46s %8s\n' "GzipBench output = the build's tar.gz" "$same_pgz"
    fi
    for t in tb-tar tb-step; do
        line=$(grep -h '^twinbuild: timings' "$TIMES/$t.err" | tail -n 1 | sed 's/^twinbuild: timings //')
        wall=$(tail -n 1 "$TIMES/$t" | cut -d' ' -f1)
        rest=$(echo "$line" | tr ' ' '\n' | awk -F= -v w="$wall" '{ s += $2 } END { printf "%.2f", w - s }')
        printf '  %-46s %s\n' "phases (s), $t, last run" "$line; JVM start + work-tree removal=$rest"
    done
    printf '  %-46s %8s  %s\n' "tar identical in every round" "$same_tar" "$(head -n 1 "$TIMES/tar-digests")"
    printf '  %-46s %8s\n' "peak RSS, $SMALL -> $FILES entries" \
        "$(ratio "$rss_big" "$rss_small")x ($rss_small KB -> $rss_big KB)"
    if [ -n "$RSS_ENTRIES" ]; then
        first=$(set -- $RSS_ENTRIES; echo "$1")
        last=$(set -- $RSS_ENTRIES; eval echo "\${$#}")
        series=""
        for n in $RSS_ENTRIES; do
            series="$series $n: $(( $(rss "tb-rss-$n") / 1024 )) MiB ($(best "tb-rss-$n") s);"
        done
        r_rss=$(ratio "$(rss "tb-rss-$last")" "$(rss "tb-rss-$first")")
        max_mib=$(for n in $RSS_ENTRIES; do rss "tb-rss-$n"; done | sort -n | tail -n 1 | awk '{ printf "%d", $1 / 1024 }')
        printf '  %-46s %8s %8s  %s\n' "peak RSS, synthetic $first -> $last entries" "${r_rss}x" "<= 1.2" \
            "$(verdict "$r_rss" 1.2)"
        printf '  %-46s %8s %8s  %s\n' "    largest peak RSS (MiB)" "$max_mib" "< 300" "$(verdict "$max_mib" 299)"
        printf '  %-46s %s\n' "    per count" "${series# }"
    fi
    echo
    echo "finished in $(( $(date +%s) - START )) s; per run (wall_s rss_kb user_s sys_s) in $TIMES"
}
if [ "$same_threads" != yes ] || [ "$same_tar" != yes ] || [ "$same_pgz" != yes ]; then
    die "output bytes differ"
fi
fs_release
[ "${BENCH_FORMATS:-1}" = 0 ] || BENCH_DIR=$BENCH_DIR "$HERE/formats.sh" # filesystem outputs against the script (BENCH_FORMATS=0 skips)
