#!/usr/bin/env bash
# make bench-compare (SPEC §13): times procwarden's digest and scan code paths
# next to their peers, on the same inputs and in the same run, and prints
# ours ÷ theirs. Wall times are best-of-N with ours and the peers interleaved
# in one loop, so a busy neighbour slows both sides alike.
#
# Ours is driven through two helpers of the Benchmarks package, built here:
#   pw-digest  the daemon's one-pass SHA-256+ssdeep digester, on a file
#   pw-scan    one cold scan of /proc, then warm rescans with the same Scanner
#
# Tunables (environment): PW_COMPARE_RUNS (5), PW_COMPARE_PROCESSES (1000),
# PW_COMPARE_FILE_MIB (256), PW_COMPARE_BINARY (swift-frontend of the toolchain),
# PW_COMPARE_PARTS ("digest scan": which comparisons to run).
# Exits 0 when a target is missed (the table says MISSED), non-zero only when
# something could not be measured or our digests disagree with the peers'.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
swift=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
runs=${PW_COMPARE_RUNS:-5}
processes=${PW_COMPARE_PROCESSES:-1000}
file_mib=${PW_COMPARE_FILE_MIB:-256}
binary=${PW_COMPARE_BINARY:-$(dirname "$(readlink -f "$swift")")/swift-frontend}
parts=${PW_COMPARE_PARTS:-digest scan}

die() { echo "bench-compare: $*" >&2; exit 1; }
check_count() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"; }
check_count PW_COMPARE_RUNS "$runs"
check_count PW_COMPARE_PROCESSES "$processes"
check_count PW_COMPARE_FILE_MIB "$file_mib"
for tool in ssdeep sha256sum ps needrestart; do
    command -v "$tool" >/dev/null || die "$tool is missing; run scripts/install-deps.sh"
done
for part in $parts; do
    [[ $part == digest || $part == scan ]] || die "PW_COMPARE_PARTS takes digest and/or scan, not '$part'"
done
wants() { [[ " $parts " == *" $1 "* ]]; }
if wants digest; then
    [[ -f $binary && -r $binary ]] || die "no real binary to digest at $binary (set PW_COMPARE_BINARY)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pw-compare.XXXXXX")
sleepers=()
cleanup() {
    if ((${#sleepers[@]})); then
        kill -KILL "${sleepers[@]}" 2>/dev/null || true
        wait "${sleepers[@]}" 2>/dev/null || true
        sleepers=()
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench-compare: building pw-digest and pw-scan (release)"
"$swift" build -c release --package-path "$root/Benchmarks" --product pw-digest >"$work/build.log" 2>&1 &&
"$swift" build -c release --package-path "$root/Benchmarks" --product pw-scan >>"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; die "building the helpers failed"; }
bin=$("$swift" build -c release --package-path "$root/Benchmarks" --show-bin-path)

# best NAME CMD...: runs CMD once, output discarded, and lowers the variable
# NAME to its wall time in seconds if that is a new best. Fails with CMD.
best() {
    local -n best_of=$1
    shift
    local t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || return 1
    local t1=$EPOCHREALTIME
    best_of=$(awk -v a="$t0" -v b="$t1" -v m="$best_of" 'BEGIN { t = b - a; printf "%.6f\n", (m == "" || t < m) ? t : m }')
}
sha_then_ssdeep() { sha256sum "$1" && ssdeep -s "$1"; }
# mbps BYTES SECONDS, ms SECONDS, ratio A B (A ÷ B)
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f MB/s", b / t / 1e6 }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.2f ms", t * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

rows=()
missed=0
# row MEASURE OURS PEER RATIO TARGET: TARGET is ">= x", "<= x" or "-".
row() {
    local verdict=""
    case $5 in
        ">= "*) verdict=$(awk -v r="$4" -v t="${5#>= }" 'BEGIN { print (r >= t) ? "met" : "MISSED" }') ;;
        "<= "*) verdict=$(awk -v r="$4" -v t="${5#<= }" 'BEGIN { print (r <= t) ? "met" : "MISSED" }') ;;
    esac
    [[ $verdict == MISSED ]] && missed=$((missed + 1))
    rows+=("$1|$2|$3|$4|$5 ${verdict}")
}

# --- digests ---------------------------------------------------------------
if wants digest; then
    big="$work/random-${file_mib}MiB.bin"
    head -c "$((file_mib << 20))" /dev/urandom >"$big"
    cat "$binary" >/dev/null # both sides read it from the page cache

    for file in "$big" "$binary"; do
        name=$(basename "$file")
        bytes=$(stat -c %s "$file")
        # Same digests as the peers, or the timings compare different work.
        read -r ours_sha ours_fuzzy _ < <("$bin/pw-digest" "$file")
        peer_sha=$(sha256sum "$file" | cut -d' ' -f1)
        peer_fuzzy=$(ssdeep -s "$file" | awk -F, 'NR == 2 { print $1 }')
        [[ $ours_sha == "$peer_sha" ]] || die "$name: SHA-256 differs from sha256sum ($ours_sha vs $peer_sha)"
        [[ $ours_fuzzy == "$peer_fuzzy" ]] || die "$name: ssdeep differs from ssdeep(1) ($ours_fuzzy vs $peer_fuzzy)"

        t_ours="" t_ssdeep="" t_both=""
        for ((i = 0; i < runs; i++)); do
            best t_ours "$bin/pw-digest" "$file" || die "pw-digest $name failed"
            best t_ssdeep ssdeep -s "$file" || die "ssdeep $name failed"
            best t_both sha_then_ssdeep "$file" || die "sha256sum+ssdeep $name failed"
        done
        # Throughput ratio: ours ÷ theirs = their time ÷ ours.
        row "digest $name: throughput vs ssdeep" "$(mbps "$bytes" "$t_ours")" "$(mbps "$bytes" "$t_ssdeep")" \
            "$(ratio "$t_ssdeep" "$t_ours")" ">= 0.95"
        row "digest $name: throughput vs sha256sum+ssdeep" "$(mbps "$bytes" "$t_ours")" "$(mbps "$bytes" "$t_both")" \
            "$(ratio "$t_both" "$t_ours")" "-"
    done
    rm -f "$big"
fi

# --- scans -----------------------------------------------------------------
if wants scan; then
    images=()
    for i in 0 1 2; do
        image="$work/pw-sleep-$i"
        cp /bin/sleep "$image"
        head -c "$((4096 * (i + 1) + i))" /dev/zero | tr '\0' "\\$((i + 1))" >>"$image"
        chmod 0755 "$image"
        images+=("$image")
    done
    echo "bench-compare: starting $processes sleeping processes from ${#images[@]} images"
    for ((i = 0; i < processes; i++)); do
        "${images[i % 3]}" 900 </dev/null >/dev/null 2>&1 &
        sleepers+=($!)
    done
    total=$(ls -d /proc/[0-9]* | wc -l)

    # Ours: one cold scan, then warm rescans in the same process; peers interleaved
    # around it, best of each.
    t_ps="" t_nr=""
    for ((i = 0; i < runs; i++)); do
        best t_ps ps -e -o pid,comm || die "ps failed"
        best t_nr needrestart -b -r l || die "needrestart failed"
        if ((i == runs / 2)); then
            "$bin/pw-scan" --warm-iterations "$runs" >"$work/scan.out" || die "pw-scan failed"
        fi
    done
    t_cold=$(awk '$1 == "cold" { sub("wall=", "", $2); print $2 }' "$work/scan.out")
    read -r t_warm cpu_warm seen < <(awk '$1 == "warm" {
            w = $2; c = $3; p = $4; sub("wall=", "", w); sub("cpu=", "", c); sub("processes=", "", p)
            if (best == "" || w < best) { best = w; cpu = c; seen = p }
        } END { print best, cpu, seen }' "$work/scan.out")
    rss=$(awk '$1 == "peak" { sub("rss_kib=", "", $2); print $2 }' "$work/scan.out")
    [[ -n $t_warm ]] || die "pw-scan printed no warm scan"
    ((seen >= processes)) || die "pw-scan saw $seen processes, fewer than the $processes started"

    row "warm scan ($seen procs) vs ps -e -o pid,comm" "$(ms "$t_warm")" "$(ms "$t_ps")" "$(ratio "$t_warm" "$t_ps")" "<= 1.0"
    row "warm scan ($seen procs) vs needrestart -b" "$(ms "$t_warm")" "$(ms "$t_nr")" "$(ratio "$t_warm" "$t_nr")" "-"
    row "cold scan ($seen procs) vs ps -e -o pid,comm" "$(ms "$t_cold")" "$(ms "$t_ps")" "$(ratio "$t_cold" "$t_ps")" "-"
    if ((seen >= 10000)); then
        row "warm scan CPU ($seen procs) vs SPEC budget" "$(ms "$cpu_warm")" "500.00 ms" "$(ratio "$cpu_warm" 0.5)" "<= 1.0"
    else
        row "warm scan CPU ($seen procs)" "$(ms "$cpu_warm")" "-" "-" "-"
    fi
    row "pw-scan peak RSS (after cold + warm scans)" "$((rss / 1024)) MiB" "-" "-" "-"
fi

cleanup

echo
echo "procwarden vs peers, best of $runs; ratio = ours ÷ theirs"
wants scan && echo "scans: $processes sleepers from 3 images + $((total - processes)) other processes"
echo "(throughput ratios > 1 mean ours is faster; time ratios < 1 mean ours is faster)"
printf '%s\n' "measure|ours|peer|ratio|target" "${rows[@]}" | awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
    END { for (r = 1; r <= NR; r++) {
        printf "%-*s  %*s  %*s  %*s  %s\n", w[1], cell[r, 1], w[2], cell[r, 2], w[3], cell[r, 3], w[4], cell[r, 4], cell[r, 5]
    } }'
echo
if ((missed)); then
    echo "bench-compare: $missed target(s) MISSED"
else
    echo "bench-compare: all targets met"
fi
