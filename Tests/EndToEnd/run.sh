#!/usr/bin/env bash
# End to end (SPEC §12.3): boots a Debian bookworm root under systemd-nspawn
# with systemd as PID 1, installs procwarden's Debian package into it with
# `apt-get install ./procwarden_*.deb` (SPEC §17), and drives the unit with
# systemctl, journalctl, busctl and procwardenctl the way an operator would;
# then upgrades the package and purges it. Prints PASS or FAIL for each check,
# then "N passed, N failed"; exits 1 if any check failed.
#
# Run it through `make e2e`, which builds the static binaries and the package
# (dist/) first. Needs root, debootstrap, systemd-container, dpkg-dev and
# python3 on the host.
#
# How commands reach the container: the host need not run systemd as PID 1 (CI
# does not), and then there is no systemd-machined, so `machinectl shell` and
# `systemd-run -M` fail with "Host is down". Every command therefore enters the
# container with `nsenter --target <container PID 1> --all`, which works either
# way. Long-running test processes are started inside with `systemd-run`, so
# the container's systemd owns them.
#
# Environment:
#   E2E_MIRROR  Debian mirror for debootstrap (default: the host's apt mirror
#               for bookworm, from /etc/apt/sources.list*)
#   E2E_CACHE   where the debootstrapped root is cached (default: .e2e-cache)
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/Tests/EndToEnd
cache=${E2E_CACHE:-$repo/.e2e-cache}
suite=bookworm
static=$repo/.build-e2e/release
deb_version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
deb=$repo/dist/procwarden_${deb_version}_$(dpkg --print-architecture).deb
# Where the packages are put inside the root, readable by apt's _apt user.
deb_dir=/var/tmp/pw-e2e
machine=pw-e2e-$$
run_dir=$cache/run-$$
root=$run_dir/root
# Bump when the way the cached root is prepared changes, to rebuild it.
cache_recipe=1
state_file=/var/lib/procwarden/state.json

bus_name=org.procwarden.Monitor1
bus_path=/org/procwarden/Monitor1
conf_d=/etc/procwarden/procwarden.conf.d
unit_d=/etc/systemd/system/procwarden.service.d
deleted_exe=/usr/local/bin/pw-e2e-deleted
event_exe=/usr/local/bin/pw-e2e-event
memfd_helper=/usr/local/libexec/pw-memfd-exec
memfd_name=pw-e2e-payload
# CAP_DAC_READ_SEARCH | CAP_SYS_PTRACE, as /proc/<pid>/status prints it.
want_caps=0000000000080004

passed=0
failed=0
nspawn_pid=
leader=
overlay_mounted=
collector_pid=

# say MESSAGE: progress, straight to the terminal even from inside a check.
say() { printf 'e2e: %s\n' "$*" >&4; }

# check NAME FUNCTION [ARGS...]: runs FUNCTION in this shell and prints PASS or
# FAIL. FUNCTION's output is shown, indented, only when it fails; a line it
# writes to fd 3 is appended to the PASS line.
check() {
    local name=$1 out note
    shift
    out=$(mktemp) note=$(mktemp)
    if "$@" >"$out" 2>&1 3>"$note"; then
        passed=$((passed + 1))
        printf 'PASS %s%s\n' "$name" "$([ -s "$note" ] && printf ' (%s)' "$(head -n1 "$note")")"
    else
        failed=$((failed + 1))
        printf 'FAIL %s\n' "$name"
        sed 's/^/    /' "$out"
    fi
    rm -f "$out" "$note"
}

# fail MESSAGE: says why a check failed and returns 1, for `|| fail ... || return`.
fail() { printf '%s\n' "$*"; return 1; }

finish() {
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}

now() { date +%s.%N; }
# The container's clock as journalctl --since=@ takes it, to the microsecond.
cnow() { cx date +%s.%6N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# cx COMMAND...: runs COMMAND inside the container as root, with a clean
# environment and a time limit so that a hung call fails its check.
cx() {
    timeout -k 5 "${cx_timeout:-60}" nsenter --target "$leader" --all -- \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}

# as_nobody COMMAND...: runs COMMAND inside the container as user nobody.
as_nobody() { cx setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s until it succeeds.
wait_for() {
    local deadline
    deadline=$(awk -v t="$(now)" -v s="$1" 'BEGIN { printf "%.3f", t + s }')
    shift
    until "$@" >/dev/null 2>&1; do
        awk -v t="$(now)" -v d="$deadline" 'BEGIN { exit !(t >= d) }' && return 1
        sleep 0.2
    done
}

main_pid() { cx systemctl show -p MainPID --value procwarden; }
prop() { cx busctl get-property "$bus_name" "$bus_path" "$bus_name" "$1"; }
unit_journal() { cx journalctl -u procwarden --no-pager -o cat "$@"; }
is_active() { [ "$(cx systemctl is-active procwarden)" = active ]; }

# --- the cached root -------------------------------------------------------

# The host's apt mirror serving `bookworm` itself (not -security/-updates).
detect_mirror() {
    {
        sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk -v suite=$suite '$1 == "deb" && $3 == suite { print $2; exit }'
        awk -v suite=$suite '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "") print uri
                types = suites = uri = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            $1 == "Types:" { types = substr($0, index($0, ":") + 2) }
            $1 == "Suites:" { suites = substr($0, index($0, ":") + 2) }
            $1 == "URIs:" { uri = $2 }
            END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null
    } | head -n1
}

# remove_tree DIR: unmounts whatever is left mounted below DIR (an interrupted
# debootstrap leaves proc and sys), then deletes it without crossing into mounts.
remove_tree() {
    [ -e "$1" ] || return 0
    local dir mnt
    dir=$(realpath "$1")
    awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
        sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
    rm -rf --one-file-system "$dir"
}

# Working copies left by runs that were SIGKILLed before their cleanup.
remove_stale_runs() {
    local dir
    for dir in "$cache"/run-*; do
        [ -d "$dir" ] && ! kill -0 "${dir##*/run-}" 2>/dev/null && remove_tree "$dir"
    done
    return 0
}

cache_key() {
    { grep -v '^#' "$here/packages"; echo "$suite $1 $cache_recipe"; } | sha256sum | cut -d' ' -f1
}

# Builds .e2e-cache/rootfs with debootstrap unless one for the same package
# list, suite and mirror is there. Holds an exclusive lock while building and a
# shared one for the rest of the run, so concurrent runs never see half a root.
ensure_root() {
    local mirror key packages
    mirror=${E2E_MIRROR:-$(detect_mirror)}
    [ -n "$mirror" ] || { echo "no apt mirror for $suite in /etc/apt/sources.list*; set E2E_MIRROR"; return 1; }
    key=$(cache_key "$mirror")
    mkdir -p "$cache"
    exec 9>"$cache/lock"
    flock -x 9
    remove_stale_runs
    if [ "$(cat "$cache/rootfs.key" 2>/dev/null)" = "$key" ] && [ -x "$cache/rootfs/usr/lib/systemd/systemd" ]; then
        echo "cached" >&3
    else
        packages=$(grep -v '^#' "$here/packages" | paste -sd, -)
        say "building the $suite root from $mirror (cache key changed or no cache)"
        remove_tree "$cache/rootfs.new"
        remove_tree "$cache/rootfs"
        rm -f "$cache/rootfs.key"
        debootstrap --variant=minbase --include="$packages" "$suite" "$cache/rootfs.new" "$mirror" \
            >"$cache/debootstrap.log" 2>&1 ||
            { tail -n 20 "$cache/debootstrap.log"; return 1; }
        echo pw-e2e >"$cache/rootfs.new/etc/hostname"
        chroot "$cache/rootfs.new" apt-get clean
        rm -rf "$cache/rootfs.new/var/lib/apt/lists/"*
        mv "$cache/rootfs.new" "$cache/rootfs"
        echo "$key" >"$cache/rootfs.key"
        echo "built from $mirror" >&3
    fi
    flock -s 9
}

# A fresh copy of the cached root for this run: an overlay when the kernel
# allows it, a full copy otherwise.
make_working_root() {
    mkdir -p "$run_dir/upper" "$run_dir/work" "$root" || return 1
    if mount -t overlay overlay \
        -o "lowerdir=$cache/rootfs,upperdir=$run_dir/upper,workdir=$run_dir/work" "$root" 2>/dev/null; then
        overlay_mounted=1
        echo "overlay" >&3
    else
        cp -a --reflink=auto "$cache/rootfs/." "$root/" && echo "copy" >&3
    fi
}

# --- the container ---------------------------------------------------------

# The cgroup directories systemd would give systemd-nspawn@<machine>.service,
# a child of machine.slice, in every hierarchy that tracks units.
machine_cgroups() {
    local base
    for base in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
        [ -e "$base/cgroup.procs" ] && echo "$base/machine.slice/systemd-nspawn@$machine.service"
    done
}

boot() {
    local args=(-b -D "$root" --machine="$machine" --private-network --console=read-only)
    local cgroups=()
    # Without systemd as PID 1 there is no machined to register with, and no
    # systemd to create a scope: the container lives in nspawn's own cgroup,
    # which is put where systemd-nspawn@.service would run it, so that the
    # container's processes show their container as on any systemd host.
    if [ ! -d /run/systemd/system ]; then
        args+=(--register=no --keep-unit)
        mapfile -t cgroups < <(machine_cgroups)
        mkdir -p "${cgroups[@]}" || return 1
    fi
    # shellcheck disable=SC2016
    PW_CGROUPS="${cgroups[*]}" TERM=dumb sh -c 'for g in $PW_CGROUPS; do echo $$ >"$g/cgroup.procs" || exit 1; done; exec systemd-nspawn "$@"' \
        sh "${args[@]}" >"$run_dir/console.log" 2>&1 </dev/null 4>&- 9>&- &
    nspawn_pid=$!
    # The container's PID 1 is nspawn's child in a PID namespace of its own,
    # once it has exec'ed systemd (nspawn's short-lived helper child is not).
    local i pid
    for i in $(seq 100); do
        for pid in $(pgrep -P "$nspawn_pid"); do
            [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] &&
                [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] && leader=$pid
        done
        [ -n "$leader" ] && break
        kill -0 "$nspawn_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$leader" ] || { tail -n 20 "$run_dir/console.log"; return 1; }
    # systemctl needs PID 1's private socket, which appears a moment after exec.
    wait_for 30 cx test -S /run/systemd/private || { tail -n 20 "$run_dir/console.log"; fail "no /run/systemd/private"; return; }
    local state
    state=$(cx_timeout=120 cx systemctl is-system-running --wait)
    case $state in
    running) echo "systemd is PID 1, leader $leader" >&3 ;;
    degraded)
        echo "boot degraded; failed units:"
        cx systemctl --failed --no-legend
        echo "systemd is PID 1, leader $leader, degraded" >&3
        ;;
    *)
        echo "system state: ${state:-unknown}"
        tail -n 20 "$run_dir/console.log"
        return 1
        ;;
    esac
    [ "$(cx cat /proc/1/comm)" = systemd ] || fail "PID 1 in the container is not systemd"
}

cleanup() {
    [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        # nspawn turns SIGTERM into an orderly poweroff of the container.
        kill -TERM "$nspawn_pid" 2>/dev/null
        local i
        for i in $(seq 100); do
            kill -0 "$nspawn_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$nspawn_pid" 2>/dev/null
        [ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null
        wait "$nspawn_pid" 2>/dev/null
    fi
    [ -n "$overlay_mounted" ] && umount "$root" 2>/dev/null
    remove_tree "$run_dir"
    rm -rf "/run/systemd/nspawn/propagate/$machine" "/run/systemd/nspawn/unix-export/$machine"
    local cgroup
    for cgroup in $(machine_cgroups); do
        [ -d "$cgroup" ] && find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null
        rmdir "${cgroup%/*}" 2>/dev/null
    done
}

# --- setup checks ----------------------------------------------------------

# The static binaries need nothing from the Swift toolchain, only Debian's
# libc/libstdc++ and the four libraries SPEC §1 names.
static_binaries() {
    local bin lib bad=0
    local allowed='^(libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64|ld-linux-aarch64|libsystemd|libfuzzy|libcrypto|libssl|libcap)\.so'
    for bin in procwardend procwardenctl pw-memfd-exec; do
        [ -x "$static/$bin" ] || { echo "$static/$bin missing; run through make e2e"; return 1; }
        for lib in $(readelf -d "$static/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [[ $lib =~ $allowed ]] || { echo "$bin needs $lib"; bad=1; }
        done
        if ldd "$static/$bin" | grep -Ei 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu'; then
            echo "$bin links Swift runtime libraries dynamically"
            bad=1
        fi
    done
    [ "$bad" -eq 0 ] && echo "$(du -h "$static/procwardend" | cut -f1) procwardend" >&3
}

# stage_files: the package and the memfd helper, put into the root from the
# host; the container has no network, so apt finds every Depends installed.
stage_files() {
    [ -f "$deb" ] || fail "$deb missing; run through make e2e, which runs make deb" || return
    install -d "$root$deb_dir" && install -m0644 "$deb" "$root$deb_dir/" || return
    install -Dm0755 "$static/pw-memfd-exec" "$root$memfd_helper" || return
    echo "$(du -h "$deb" | cut -f1) ${deb##*/}" >&3
}

# apt_install FILE: `apt-get install ./FILE` in $deb_dir, as an operator would.
apt_install() {
    # shellcheck disable=SC2016
    cx_timeout=180 cx env DEBIAN_FRONTEND=noninteractive sh -c 'cd "$1" && apt-get install -y "./$2"' sh "$deb_dir" "$1"
}

# --- checks inside the booted system ---------------------------------------

# The package does what make install leaves to the operator: the user
# (sysusers from postinst), the catalog and the bus policy (the systemd and
# dbus packages' triggers), enabling and starting the unit.
check_install() {
    local out
    ! cx getent passwd procwarden >/dev/null || fail "user procwarden exists before the package is installed" || return
    out=$(apt_install "${deb##*/}" 2>&1) || fail "apt-get install ./${deb##*/} failed:" "$out" || return
    [ "$(cx dpkg-query -W -f='${Status} ${Version}' procwarden)" = "install ok installed $deb_version" ] ||
        fail "dpkg-query: $(cx dpkg-query -W -f='${Status} ${Version}' procwarden)" || return
    out=$(cx ldd /usr/bin/procwardend /usr/bin/procwardenctl "$memfd_helper" 2>&1)
    ! grep -q 'not found' <<<"$out" || fail "missing libraries in the container: $(grep 'not found' <<<"$out")" || return
    cx getent passwd procwarden >/dev/null || fail "installing did not create the procwarden user" || return
    cx journalctl --list-catalog 05674463b65b43e1ae2a10a72f71ccde | grep -q . ||
        fail "catalog entry 05674463b65b43e1ae2a10a72f71ccde not in the catalog database" || return
    [ "$(cx systemctl is-enabled procwarden)" = enabled ] ||
        fail "is-enabled says $(cx systemctl is-enabled procwarden)" || return
    wait_for 10 is_active || { unit_journal -n 30; fail "is-active says $(cx systemctl is-active procwarden)"; return; }
    # The policy lets the daemon own its name: the bus answers for it.
    wait_for 10 prop SimilarityThreshold ||
        { unit_journal -n 30; fail "$bus_name not on the system bus: $(prop SimilarityThreshold 2>&1)"; return; }
    echo "enabled, active as pid $(main_pid)" >&3
}

check_start() {
    # Faster scans for the alert checks, through a drop-in as an operator would.
    printf '[Scan]\nIntervalSec=2\n' >"$root$conf_d/50-e2e-interval.conf"
    cx systemctl restart procwarden || { unit_journal -n 30; fail "systemctl restart procwarden failed"; return; }
    is_active || { unit_journal -n 30; fail "is-active says $(cx systemctl is-active procwarden)"; }
}

status_text() {
    cx systemctl show -p StatusText --value procwarden |
        grep -Ex 'Watching [0-9]+ processes, [0-9]+ executables, [0-9]+ directories; [0-9]+ alerts; next scan in [0-9]+s'
}

check_status() {
    wait_for 10 status_text ||
        fail "StatusText is '$(cx systemctl show -p StatusText --value procwarden)'" || return
    status_text >&3
}

check_privileges() {
    local pid status uid field
    pid=$(main_pid)
    [ "${pid:-0}" -gt 0 ] || fail "no main PID" || return
    status=$(cx cat "/proc/$pid/status") || fail "cannot read /proc/$pid/status" || return
    uid=$(cx id -u procwarden)
    grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" <<<"$status" ||
        fail "main PID $pid is not user procwarden ($uid): $(grep ^Uid: <<<"$status")" || return
    for field in CapEff CapPrm CapBnd; do
        grep -q "^$field:\s*$want_caps$" <<<"$status" ||
            fail "$(grep "^$field:" <<<"$status"), want $want_caps" || return
    done
    for field in CapInh CapAmb; do
        grep -q "^$field:\s*0000000000000000$" <<<"$status" ||
            fail "$(grep "^$field:" <<<"$status"), want 0" || return
    done
    grep -q '^NoNewPrivs:\s*1$' <<<"$status" || fail "$(grep '^NoNewPrivs:' <<<"$status"), want 1" || return
    echo "pid $pid, uid $uid, caps $want_caps, NoNewPrivs 1" >&3
}

# start_unit NAME COMMAND...: runs COMMAND as a transient service and prints its PID.
start_unit() {
    local name=$1
    shift
    cx systemd-run --quiet --unit="$name" "$@" || return 1
    cx systemctl show -p MainPID --value "$name"
}

alert_json() {
    cx journalctl --no-pager -o json "PROCWARDEN_RULE=$1" "PROCWARDEN_PID=$2"
}

has_alert() { [ -n "$(alert_json "$1" "$2")" ]; }

# alert_latency RULE PID SINCE: waits for the alert, then prints how long after
# SINCE journald received it (__REALTIME_TIMESTAMP; host and container share
# the clock). Gives up 6 s after SINCE, polling being coarser than the 5 s asked.
alert_latency() {
    local left
    left=$(awk -v s="$3" -v t="$(now)" 'BEGIN { l = s + 6 - t; printf "%.3f", l < 0 ? 0 : l }')
    wait_for "$left" has_alert "$1" "$2" || return 1
    alert_json "$1" "$2" | head -n1 | python3 -c 'import json, sys
print("%.1f" % (int(json.load(sys.stdin)["__REALTIME_TIMESTAMP"]) / 1e6 - float(sys.argv[1])))' "$3"
}

# within_5s LATENCY
within_5s() { awk -v l="$1" 'BEGIN { exit !(l <= 5) }'; }

sleep_sha=
deleted_pid=
deleted_comm=
memfd_pid=
memfd_comm=
deleted_since=
memfd_since=

# SPEC §2 Roots, from the host: a host-side `procwardend --once --json` over
# the booted container (its own root and mount namespace, binaries the host
# does not have at those paths) raises no alert for any of its processes, and
# their records say which container they are in.
check_host_over_container() {
    local ns pid pids=() state out entered
    ns=$(readlink "/proc/$leader/ns/pid")
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$ns" ] && pids+=("$pid")
    done
    [ "${#pids[@]}" -gt 3 ] || fail "only ${#pids[@]} processes in the container's pid namespace" || return
    # A host process entered into the container's root (nsenter --root): no
    # alert either, though it is in no container.
    nsenter --target "$leader" --root -- /usr/bin/sleep 600 </dev/null >/dev/null 2>&1 4>&- 9>&- &
    entered=$!
    wait_for 5 eval '[[ $(readlink /proc/$entered/exe) == */sleep ]]' ||
        fail "nsenter --root did not exec sleep: $(readlink "/proc/$entered/exe")" || return
    state=$(mktemp -d)
    out=$("$static/procwardend" --once --json --bus none --journal no --state-dir "$state" 2>"$run_dir/host-once.err")
    rm -rf "$state"
    kill "$entered" 2>/dev/null
    wait "$entered" 2>/dev/null
    [ -n "$out" ] || fail "no report:" "$(tail -n 5 "$run_dir/host-once.err")" || return
    python3 "$here/container-report.py" "${pids[@]}" "+$entered" <<<"$out" >"$run_dir/host-once.txt" ||
        fail "$(cat "$run_dir/host-once.txt")" || return
    head -n 1 "$run_dir/host-once.txt" >&3
}

start_suspects() {
    sleep_sha=$(cx sha256sum /usr/bin/sleep | cut -d' ' -f1)
    cx cp /usr/bin/sleep "$deleted_exe" || return 1
    deleted_pid=$(start_unit pw-e2e-deleted "$deleted_exe" 600) || return 1
    cx rm "$deleted_exe" || return 1
    deleted_since=$(now)
    memfd_pid=$(start_unit pw-e2e-memfd "$memfd_helper" "$memfd_name" /usr/bin/sleep sleep 600) || return 1
    # Both really are what the checks claim. The 5 s for the memfd alert count
    # from when the helper has fexecve()d, which a loaded machine may delay.
    [ "$(cx readlink "/proc/$deleted_pid/exe")" = "$deleted_exe (deleted)" ] ||
        fail "pid $deleted_pid exe is $(cx readlink "/proc/$deleted_pid/exe")" || return
    wait_for 5 eval '[[ $(cx readlink /proc/$memfd_pid/exe) == /memfd:$memfd_name* ]]' ||
        fail "pid $memfd_pid exe is $(cx readlink "/proc/$memfd_pid/exe")" || return
    memfd_since=$(now)
    # fexecve names the process after the memfd: "memfd:pw-e2e-pa".
    deleted_comm=$(cx cat "/proc/$deleted_pid/comm")
    memfd_comm=$(cx cat "/proc/$memfd_pid/comm")
}

check_disk_mismatch() {
    [ -n "$deleted_pid" ] || fail "no deleted-binary process" || return
    local latency
    latency=$(alert_latency integrity.disk_mismatch "$deleted_pid" "$deleted_since") ||
        { unit_journal -n 20; fail "no integrity.disk_mismatch entry for pid $deleted_pid"; return; }
    within_5s "$latency" || fail "integrity.disk_mismatch came $latency s after the binary was deleted" || return
    echo "after $latency s" >&3
    alert_json integrity.disk_mismatch "$deleted_pid" | python3 "$here/journal-fields.py" \
        MESSAGE MESSAGE_ID=05674463b65b43e1ae2a10a72f71ccde PRIORITY=3 SYSLOG_IDENTIFIER=procwardend \
        PROCWARDEN_SEVERITY=high PROCWARDEN_DEDUP_KEY \
        "PROCWARDEN_PID=$deleted_pid" PROCWARDEN_UID=0 "PROCWARDEN_COMM=$deleted_comm" \
        "PROCWARDEN_EXE=$deleted_exe" PROCWARDEN_EXE_STATE=deleted PROCWARDEN_REASON=deleted \
        PROCWARDEN_UNIT=pw-e2e-deleted.service '!PROCWARDEN_ROOT' \
        "PROCWARDEN_SHA256=$sleep_sha" PROCWARDEN_SSDEEP '!PROCWARDEN_ON_DISK_SHA256' \
        "OBJECT_PID=$deleted_pid"
}

check_memfd_exec() {
    [ -n "$memfd_pid" ] || fail "no memfd process" || return
    local latency
    latency=$(alert_latency integrity.memfd_exec "$memfd_pid" "$memfd_since") ||
        { unit_journal -n 20; fail "no integrity.memfd_exec entry for pid $memfd_pid"; return; }
    within_5s "$latency" || fail "integrity.memfd_exec came $latency s after the fexecve" || return
    echo "after $latency s" >&3
    alert_json integrity.memfd_exec "$memfd_pid" | python3 "$here/journal-fields.py" \
        MESSAGE MESSAGE_ID=b1c8952fe09b4e0da423f4e024ae7712 PRIORITY=3 SYSLOG_IDENTIFIER=procwardend \
        PROCWARDEN_SEVERITY=high PROCWARDEN_DEDUP_KEY \
        "PROCWARDEN_PID=$memfd_pid" PROCWARDEN_UID=0 "PROCWARDEN_COMM=$memfd_comm" \
        "PROCWARDEN_EXE=/memfd:$memfd_name" PROCWARDEN_EXE_STATE=memfd \
        "PROCWARDEN_MEMFD_NAME=$memfd_name" "PROCWARDEN_SHA256=$sleep_sha" PROCWARDEN_SSDEEP \
        "OBJECT_PID=$memfd_pid"
}

# WatchedDirectories > 0: the first scan is done and its directories watched.
watching() { [ "$(prop WatchedDirectories | awk '{ print $2 }')" -gt 0 ]; }

# SPEC §15 under the booted systemd: with a scan an hour away, a running
# binary deleted is found by its directory's inotify watch.
check_event_latency() {
    local since latency pid
    printf '[Scan]\nIntervalSec=1h\n' >"$root$conf_d/50-e2e-interval.conf"
    cx systemctl restart procwarden || { unit_journal -n 30; fail "systemctl restart procwarden failed"; return; }
    wait_for 60 watching || fail "WatchedDirectories is '$(prop WatchedDirectories)'" || return
    cx sh -c "cp /usr/bin/sleep $event_exe && echo pw-e2e-event >>$event_exe" || return 1
    pid=$(start_unit pw-e2e-event "$event_exe" 600) || return 1
    # The new-process pass (every 0.5 s) takes it in and watches its directory.
    sleep 2
    since=$(now)
    cx rm "$event_exe" || return 1
    latency=$(alert_latency integrity.disk_mismatch "$pid" "$since") ||
        { unit_journal -n 20; fail "no integrity.disk_mismatch for pid $pid with IntervalSec=1h"; return; }
    within_5s "$latency" || fail "integrity.disk_mismatch came $latency s after the binary was deleted" || return
    echo "after $latency s, with the next scan an hour away" >&3
    cx systemctl stop pw-e2e-event 2>/dev/null
    printf '[Scan]\nIntervalSec=2\n' >"$root$conf_d/50-e2e-interval.conf"
    cx systemctl restart procwarden || { unit_journal -n 30; fail "systemctl restart procwarden failed"; return; }
    is_active || fail "is-active says $(cx systemctl is-active procwarden)"
}

# journalctl -x adds the catalog's text, with the entry's fields substituted.
catalog_shown() {
    local rule=$1 pid=$2 out subject
    out=$(cx journalctl -x --no-pager "PROCWARDEN_RULE=$rule" "PROCWARDEN_PID=$pid")
    subject=$(alert_json "$rule" "$pid" | head -n1 | python3 "$here/catalog-subject.py" "$repo/systemd/procwarden.catalog") ||
        return 1
    grep -qFx "░░ Subject: $subject" <<<"$out" ||
        fail "$rule: journalctl -x lacks '░░ Subject: $subject':" "$out"
}

check_catalog() {
    [ -n "$deleted_pid" ] && [ -n "$memfd_pid" ] || fail "no alerting processes" || return
    catalog_shown integrity.disk_mismatch "$deleted_pid" || return
    catalog_shown integrity.memfd_exec "$memfd_pid" || return
    cx journalctl -x --no-pager PROCWARDEN_RULE=integrity.disk_mismatch "PROCWARDEN_PID=$deleted_pid" |
        grep -m1 '^░░ Subject: ' >&3
}

# --- bus control -----------------------------------------------------------

check_busctl_rescan() {
    local out
    out=$(cx busctl call "$bus_name" "$bus_path" "$bus_name" Rescan) || fail "Rescan failed: $out" || return
    grep -Eqx '\(tuuuuuut\)( [0-9]+){8}' <<<"$out" || fail "Rescan returned '$out'" || return
    # scan_id processes executables hashed cache_hits alerts suppressed duration_usec
    read -r _ _ processes executables _ <<<"$out"
    [ "$processes" -gt 0 ] && [ "$executables" -gt 0 ] || fail "Rescan summary has no processes: $out" || return
    echo "$out" >&3
}

# value PROPERTY: a bus property's value without its type letter ("u 80" -> 80).
value() { prop "$1" | sed -E 's/^[a-z]+ //; s/^"(.*)"$/\1/'; }

check_ctl_status() {
    local out fact
    out=$(cx procwardenctl status) || fail "procwardenctl status failed:" "$out" || return
    for fact in "$(value SimilarityThreshold)" "$(value Capabilities)" "$(value Coverage)"; do
        [ -n "$fact" ] || fail "a bus property is empty" || return
        grep -qwF -- "$fact" <<<"$out" || fail "status does not show '$fact' (from the bus):" "$out" || return
    done
    # status is the default verb.
    out=$(cx procwardenctl) || fail "procwardenctl without a verb failed:" "$out" || return
    grep -qwF -- "$(value Capabilities)" <<<"$out" || fail "procwardenctl without a verb is not status:" "$out"
}

# ctl_rescan_matches: procwardenctl rescan prints the process and executable
# counts that the bus then reports for the last scan.
ctl_rescan_matches() {
    local out processes executables
    out=$(cx procwardenctl rescan) || { echo "procwardenctl rescan failed: $out"; return 2; }
    processes=$(value Processes) executables=$(value Executables)
    grep -qw -- "$processes" <<<"$out" && grep -qw -- "$executables" <<<"$out" && return 0
    echo "rescan printed:"
    echo "$out"
    echo "but the bus says Processes=$processes Executables=$executables"
    return 1
}

check_ctl_rescan() {
    local try rc
    # A periodic scan (IntervalSec=2) may land between the two; try again then.
    for try in 1 2 3; do
        ctl_rescan_matches >"$run_dir/rescan.out"
        rc=$?
        [ "$rc" -eq 1 ] || break
    done
    [ "$rc" -eq 0 ] || { cat "$run_dir/rescan.out"; return 1; }
}

check_ctl_list() {
    local out
    out=$(cx busctl call "$bus_name" "$bus_path" "$bus_name" ListExecutables) || fail "ListExecutables failed: $out" || return
    grep -qE "\"$deleted_exe\" [0-9]+ \"$sleep_sha\" \"[^\"]+\" \"deleted\"" <<<"$out" ||
        fail "busctl ListExecutables lacks $deleted_exe as deleted with sha256 $sleep_sha:" "$out" || return
    out=$(cx procwardenctl list --state deleted) || fail "procwardenctl list --state deleted failed:" "$out" || return
    grep -qF "$deleted_exe" <<<"$out" || fail "list --state deleted lacks $deleted_exe:" "$out" || return
    # A table may shorten the digest, but never to less than 12 hex digits.
    grep -qF "${sleep_sha:0:12}" <<<"$out" || fail "list --state deleted lacks sha256 $sleep_sha:" "$out" || return
    ! grep -qF /usr/bin/dbus-daemon <<<"$out" || fail "list --state deleted shows on-disk /usr/bin/dbus-daemon:" "$out"
}

check_ctl_alerts() {
    local out
    out=$(cx procwardenctl alerts --rule integrity.disk_mismatch) || fail "procwardenctl alerts failed:" "$out" || return
    grep -qF "$deleted_exe" <<<"$out" && grep -qw "$deleted_pid" <<<"$out" ||
        fail "alerts --rule integrity.disk_mismatch lacks pid $deleted_pid running $deleted_exe:" "$out" || return
    ! grep -qF "$memfd_name" <<<"$out" || fail "alerts --rule integrity.disk_mismatch shows the memfd alert:" "$out"
}

check_unprivileged() {
    local out rc message
    out=$(as_nobody procwardenctl set-threshold 70 2>&1)
    rc=$?
    message=$out
    [ "$rc" -ne 0 ] || fail "set-threshold as nobody succeeded: $out" || return
    [ "$(wc -l <<<"$out")" -eq 1 ] || fail "more than one line (exit $rc):" "$out" || return
    grep -qi 'denied' <<<"$out" || fail "message does not say access denied (exit $rc): $out" || return
    [ "$(prop SimilarityThreshold)" = "u 80" ] || fail "threshold changed anyway: $(prop SimilarityThreshold)" || return
    if out=$(as_nobody busctl call "$bus_name" "$bus_path" "$bus_name" SetSimilarityThreshold ub 70 false 2>&1); then
        fail "busctl SetSimilarityThreshold as nobody succeeded:" "$out" || return
    fi
    grep -qi 'access denied' <<<"$out" || fail "busctl as nobody: $out" || return
    echo "$message" >&3
}

check_threshold_persists() {
    local before after out
    cx procwardenctl set-threshold 70 || fail "procwardenctl set-threshold 70 failed" || return
    [ "$(prop SimilarityThreshold)" = "u 70" ] || fail "after set: $(prop SimilarityThreshold)" || return
    before=$(main_pid)
    cx systemctl restart procwarden || { unit_journal -n 20; fail "restart failed"; return; }
    after=$(main_pid)
    [ "$after" != "$before" ] || fail "main PID unchanged ($before): no restart happened" || return
    [ "$(prop SimilarityThreshold)" = "u 70" ] || fail "after restart: $(prop SimilarityThreshold)" || return
    out=$(cx procwardenctl threshold) || fail "procwardenctl threshold failed" || return
    grep -qw 70 <<<"$out" || fail "procwardenctl threshold says: $out"
}

check_reload() {
    local pid since
    pid=$(main_pid)
    printf '[Scan]\nIntervalSec=3\n' >"$root$conf_d/50-e2e-interval.conf"
    cx systemctl reload procwarden || fail "systemctl reload failed" || return
    wait_for 5 eval '[ "$(prop ScanIntervalUSec)" = "t 3000000" ]' ||
        fail "ScanIntervalUSec is '$(prop ScanIntervalUSec)' after reload, want t 3000000" || return
    [ "$(main_pid)" = "$pid" ] || fail "main PID changed on reload" || return

    since=$(cnow)
    printf '[Scan]\nIntervalSec=0\n' >"$root$conf_d/60-e2e-broken.conf"
    cx systemctl reload procwarden || fail "systemctl reload with a broken drop-in failed" || return
    wait_for 5 eval 'unit_journal --since=@$since | grep -q "60-e2e-broken.conf"' ||
        { unit_journal --since=@"$since"; fail "nothing logged naming 60-e2e-broken.conf"; return; }
    rm -f "$root$conf_d/60-e2e-broken.conf"
    wait_for 5 is_active || fail "service not active after a broken reload: $(cx systemctl is-active procwarden)" || return
    [ "$(main_pid)" = "$pid" ] || fail "main PID changed after a broken reload" || return
    [ "$(prop ScanIntervalUSec)" = "t 3000000" ] ||
        fail "ScanIntervalUSec is '$(prop ScanIntervalUSec)' after a broken reload, want t 3000000" || return
    unit_journal --since=@"$since" | grep -m1 "60-e2e-broken.conf" >&3
}

check_watchdog() {
    local pid since watchdog=6
    mkdir -p "$root$unit_d"
    printf '[Service]\nWatchdogSec=%ss\n' "$watchdog" >"$root$unit_d/50-e2e-watchdog.conf"
    cx systemctl daemon-reload && cx systemctl restart procwarden || fail "restart with WatchdogSec=${watchdog}s failed" || return
    [ "$(cx systemctl show -p WatchdogUSec --value procwarden)" = "${watchdog}s" ] ||
        fail "WatchdogUSec is $(cx systemctl show -p WatchdogUSec --value procwarden)" || return
    pid=$(main_pid)
    # A healthy daemon keeps pinging: still the same process after WatchdogSec + 2 s.
    sleep $((watchdog + 2))
    [ "$(main_pid)" = "$pid" ] && is_active ||
        { unit_journal -n 20; fail "the watchdog killed a running daemon (no WATCHDOG=1?)"; return; }
    since=$(cnow)
    cx kill -STOP "$pid"
    local t0
    t0=$(now)
    wait_for $((watchdog + 6)) eval '[ "$(main_pid)" != "$pid" ] && [ "$(main_pid)" != 0 ] && is_active' ||
        { unit_journal --since=@"$since"; fail "not restarted within $((watchdog + 6)) s of SIGSTOP"; return; }
    unit_journal --since=@"$since" | grep -qi 'watchdog timeout' ||
        fail "restarted, but the journal has no watchdog timeout:" "$(unit_journal --since=@"$since")" || return
    echo "restarted $(elapsed "$t0") s after SIGSTOP" >&3
}

check_stop() {
    local since t0 took out
    since=$(cnow)
    t0=$(now)
    cx systemctl stop procwarden || fail "systemctl stop failed" || return
    took=$(elapsed "$t0")
    out=$(cx journalctl --no-pager --since=@"$since" _PID=1)
    ! grep -Ei 'procwarden.*(sigkill|killing|timed out|failed|failure|core-dump|code=killed)' <<<"$out" ||
        fail "unclean stop:" "$out" || return
    [ "$(cx systemctl show -p Result --value procwarden)" = success ] ||
        fail "Result=$(cx systemctl show -p Result --value procwarden)" || return
    [ "$(cx systemctl show -p ExecMainStatus --value procwarden)" = 0 ] ||
        fail "exit status $(cx systemctl show -p ExecMainStatus --value procwarden)" || return
    # SIGTERM must end the daemon within 2 s (SPEC §8); 1 s more for systemctl.
    awk -v t="$took" 'BEGIN { exit !(t < 3) }' || fail "stop took $took s" || return
    cx test -s "$state_file" || fail "no $state_file" || return
    local dbus_sha
    dbus_sha=$(cx sha256sum /usr/bin/dbus-daemon | cut -d' ' -f1)
    cx grep -q "$dbus_sha" "$state_file" ||
        fail "state.json has no baseline for /usr/bin/dbus-daemon ($dbus_sha)" || return
    # procwardenctl says in one line that the daemon is not running.
    if out=$(cx procwardenctl status 2>&1); then
        fail "procwardenctl status succeeded with the daemon stopped:" "$out" || return
    fi
    [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qi 'not running' <<<"$out" ||
        fail "procwardenctl status with the daemon stopped:" "$out" || return
    echo "stopped in $took s" >&3
}

# --- many hosts (SPEC §16) -------------------------------------------------

# The collector is the host's systemd-journal-remote, entered into the
# container's network namespace only (nspawn --private-network made it; it
# has nothing but loopback), so the upload never leaves namespaces this test
# created. It writes into the container's /var/log/journal/remote, where the
# container's journalctl, which has procwarden's catalog, reads it too.
collector_port=19599
remote_dir=/var/log/journal/remote

start_collector() {
    mkdir -p "$root$remote_dir" || return
    nsenter --target "$leader" --net -- /lib/systemd/systemd-journal-remote \
        --listen-http="127.0.0.1:$collector_port" --output="$root$remote_dir/" \
        >"$run_dir/collector.log" 2>&1 </dev/null 4>&- 9>&- &
    collector_pid=$!
    wait_for 10 nsenter --target "$leader" --net -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$collector_port" ||
        fail "systemd-journal-remote does not listen:" "$(cat "$run_dir/collector.log")"
}

# journalctl -o json on the collector's files, from the host.
remote_json() {
    journalctl --no-pager -o json -D "$root$remote_dir" "$@"
}

check_fleet_upload() {
    [ -n "$deleted_pid" ] || fail "no deleted-binary process" || return
    start_collector || return
    mkdir -p "$root/etc/systemd/journal-upload.conf.d"
    printf '[Upload]\nURL=http://127.0.0.1:%s\n' "$collector_port" \
        >"$root/etc/systemd/journal-upload.conf.d/50-e2e.conf"
    cx systemctl start systemd-journal-upload ||
        { cx journalctl -u systemd-journal-upload -n 20 --no-pager; fail "systemd-journal-upload did not start"; return; }
    wait_for 30 eval '[ -n "$(remote_json PROCWARDEN_RULE=integrity.disk_mismatch "PROCWARDEN_PID=$deleted_pid")" ]' || {
        cx journalctl -u systemd-journal-upload -n 20 --no-pager
        cat "$run_dir/collector.log"
        fail "the disk_mismatch alert of pid $deleted_pid never reached the collector"
        return
    }
    alert_json integrity.disk_mismatch "$deleted_pid" | head -n1 >"$run_dir/sent.json"
    remote_json PROCWARDEN_RULE=integrity.disk_mismatch "PROCWARDEN_PID=$deleted_pid" | head -n1 >"$run_dir/received.json"
    python3 "$here/same-fields.py" "$run_dir/sent.json" "$run_dir/received.json" || return
    echo "$(ls "$root$remote_dir" | head -n1), every PROCWARDEN_* field and MESSAGE_ID unchanged" >&3
}

# procwardenctl on the collector's directory: the container's alert under its
# host name and machine ID, by --host, and in --summary.
check_fleet_ctl() {
    local host machine out
    host=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["_HOSTNAME"])' <"$run_dir/sent.json") || return
    machine=$(cx cat /etc/machine-id)
    out=$("$static/procwardenctl" alerts --directory "$root$remote_dir" --host "$host" --json \
        --rule integrity.disk_mismatch) || fail "procwardenctl alerts --directory --host failed:" "$out" || return
    python3 -c 'import json, sys
want_pid, host, machine = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in sys.stdin if l.strip()]
mine = [r for r in rows if r.get("pid") == want_pid]
assert mine, "no alert for pid %d in %d rows" % (want_pid, len(rows))
for r in rows:
    assert r["host"] == host and r["machine_id"] == machine, r' "$deleted_pid" "$host" "$machine" <<<"$out" ||
        fail "procwardenctl alerts --directory --host $host --json:" "$out" || return
    [ -z "$("$static/procwardenctl" alerts --directory "$root$remote_dir" --host "no-such-$host" --json)" ] ||
        fail "--host no-such-$host shows alerts" || return
    out=$("$static/procwardenctl" alerts --directory "$root$remote_dir" --summary --json) ||
        fail "procwardenctl alerts --summary failed:" "$out" || return
    python3 -c 'import json, sys
host, machine = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in sys.stdin if l.strip()]
row = [r for r in rows if r["host"] == host and r["rule"] == "integrity.disk_mismatch"]
assert len(row) == 1 and row[0]["machine_id"] == machine and row[0]["count"] >= 1 and row[0]["severity"] == "high", rows' \
        "$host" "$machine" <<<"$out" || fail "alerts --summary --json:" "$out" || return
    echo "host $host, machine $machine" >&3
}

# Catalogs are per machine: the container has procwarden's installed.
check_fleet_catalog() {
    local out
    out=$(cx journalctl -x --no-pager -D "$remote_dir" PROCWARDEN_RULE=integrity.disk_mismatch "PROCWARDEN_PID=$deleted_pid")
    grep -q '^░░ Subject: ' <<<"$out" || fail "journalctl -x -D $remote_dir shows no catalog text:" "$out" || return
    grep -m1 '^░░ Subject: ' <<<"$out" >&3
}

# --- package life cycle ----------------------------------------------------

kept_exe=/usr/local/bin/pw-e2e-kept
kept_sha=

# A baseline nothing can rebuild after the upgrade: an executable with a
# digest of its own (sleep plus a trailer) that is scanned, then stops
# running. The daemon saves its state when it stops.
# A small package whose binary runs as a service, built on the host with
# dpkg-deb (the container has no network) at VERSION: a copy of sleep with the
# version appended, with DEBIAN/md5sums and no maintainer scripts.
svc_pkg=pwe2e-svc
svc_exe=/usr/bin/pwe2e-svc
build_svc_pkg() {
    local version=$1 dir=$run_dir/svc-$1
    rm -rf "$dir" && mkdir -p "$dir/DEBIAN" "$dir/usr/bin" || return
    { cat /usr/bin/sleep && printf 'v%s' "$version"; } >"$dir$svc_exe" && chmod 0755 "$dir$svc_exe" || return
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: procwarden e2e <e2e@procwarden.invalid>\nDescription: procwarden e2e service\n' \
        "$svc_pkg" "$version" "$(dpkg --print-architecture)" >"$dir/DEBIAN/control" || return
    (cd "$dir" && md5sum "${svc_exe#/}" >DEBIAN/md5sums) || return
    dpkg-deb --root-owner-group -b "$dir" "$root$deb_dir/${svc_pkg}_$version.deb" >/dev/null
}

# SPEC §2 Package verification inside the booted system, whose database is
# the daemon's own root's: an upgrade of a running service is restart_needed
# (low) naming the package and both versions, never disk_mismatch, and
# procwardenctl needs-restart names the service and exits 1.
check_restart_needed() {
    local pid out status
    build_svc_pkg 1.0 && build_svc_pkg 2.0 || fail "cannot build $svc_pkg" || return
    cx dpkg -i "$deb_dir/${svc_pkg}_1.0.deb" >/dev/null || fail "dpkg -i ${svc_pkg}_1.0.deb failed" || return
    pid=$(start_unit "$svc_pkg" "$svc_exe" 600) || fail "cannot start $svc_exe" || return
    cx procwardenctl rescan >/dev/null || fail "procwardenctl rescan failed" || return
    cx dpkg -i "$deb_dir/${svc_pkg}_2.0.deb" >/dev/null || fail "dpkg -i ${svc_pkg}_2.0.deb failed" || return
    cx procwardenctl rescan >/dev/null || fail "procwardenctl rescan failed" || return
    wait_for 5 has_alert integrity.restart_needed "$pid" ||
        { unit_journal -n 20; fail "no integrity.restart_needed entry for pid $pid"; return; }
    alert_json integrity.restart_needed "$pid" | head -n1 | python3 "$here/journal-fields.py" \
        MESSAGE MESSAGE_ID=8fa08e5e7e924d8fa425b50d011b7d10 PRIORITY=5 PROCWARDEN_SEVERITY=low \
        "PROCWARDEN_PID=$pid" "PROCWARDEN_EXE=$svc_exe" "PROCWARDEN_PACKAGE=$svc_pkg" \
        PROCWARDEN_PACKAGE_VERSION=2.0 PROCWARDEN_PACKAGE_OLD_VERSION=1.0 PROCWARDEN_PACKAGE_VERIFIED=yes \
        "PROCWARDEN_UNIT=$svc_pkg.service" || return
    ! has_alert integrity.disk_mismatch "$pid" || fail "an upgrade raised integrity.disk_mismatch for pid $pid" || return
    status=0
    out=$(cx procwardenctl needs-restart) || status=$?
    [ "$status" = 1 ] || fail "procwardenctl needs-restart exited $status, want 1:" "$out" || return
    grep -q "^$svc_pkg.service:" <<<"$out" && grep -q "\[$pid\] $svc_exe ($svc_pkg)" <<<"$out" ||
        fail "procwardenctl needs-restart does not name $svc_pkg.service and pid $pid:" "$out" || return
    cx systemctl stop "$svc_pkg" >/dev/null 2>&1
    echo "pid $pid: $svc_pkg 1.0 -> 2.0, restart_needed, needs-restart names $svc_pkg.service" >&3
}

# No false alarms from the shared-object and package rules on a real booted
# Debian system: no library_mismatch, no untrusted_code and no
# package_mismatch for anything the test did not start.
check_no_false_library_alerts() {
    local rule out
    for rule in integrity.library_mismatch integrity.untrusted_code integrity.package_mismatch; do
        out=$(cx journalctl --no-pager -o cat "PROCWARDEN_RULE=$rule")
        [ -z "$out" ] || fail "$rule raised in the booted container:" "$out" || return
    done
}

plant_baseline() {
    cx sh -c "cp /usr/bin/sleep $kept_exe && echo pw-e2e-kept >>$kept_exe" || fail "cannot write $kept_exe" || return
    kept_sha=$(cx sha256sum "$kept_exe" | cut -d' ' -f1)
    start_unit pw-e2e-kept "$kept_exe" 600 >/dev/null || fail "cannot start $kept_exe" || return
    cx procwardenctl rescan >/dev/null || fail "procwardenctl rescan failed" || return
    cx systemctl stop pw-e2e-kept || return
    cx systemctl restart procwarden || fail "restart failed" || return
    cx grep -q "$kept_sha" "$state_file" || fail "$state_file has no baseline for $kept_exe ($kept_sha)"
}

# The same package with a higher version, repacked without a second build.
repack_upgrade() {
    local dir=$run_dir/repack
    upgrade_version=$deb_version+e2e1
    upgrade_deb=procwarden_${upgrade_version}_$(dpkg --print-architecture).deb
    rm -rf "$dir" && dpkg-deb -R "$deb" "$dir" || return
    sed -i "s/^Version: .*/Version: $upgrade_version/" "$dir/DEBIAN/control" || return
    dpkg-deb --root-owner-group -b "$dir" "$root$deb_dir/$upgrade_deb" >/dev/null
}

check_upgrade() {
    local before after out
    plant_baseline || return
    repack_upgrade || fail "repacking $deb failed" || return
    before=$(main_pid)
    out=$(apt_install "$upgrade_deb" 2>&1) || fail "apt-get install ./$upgrade_deb failed:" "$out" || return
    [ "$(cx dpkg-query -W -f='${Version}' procwarden)" = "$upgrade_version" ] ||
        fail "installed version is $(cx dpkg-query -W -f='${Version}' procwarden), want $upgrade_version" || return
    wait_for 10 is_active || { unit_journal -n 20; fail "not active after the upgrade"; return; }
    after=$(main_pid)
    [ "$after" != "$before" ] || fail "main PID unchanged ($before): the upgrade did not restart the service" || return
    [ "$(prop SimilarityThreshold)" = "u 70" ] || fail "threshold after the upgrade: $(prop SimilarityThreshold)" || return
    # The upgraded daemon saves what it loaded: the planted baseline is
    # still there although no process runs that executable any more.
    cx systemctl restart procwarden || fail "restart after the upgrade failed" || return
    cx grep -q "$kept_sha" "$state_file" ||
        fail "the baseline of $kept_exe ($kept_sha) did not survive the upgrade" || return
    echo "$deb_version -> $upgrade_version, pid $before -> $after" >&3
}

check_purge() {
    local out left
    # What the test itself added under /etc, which dpkg rightly leaves alone.
    rm -f "$root$conf_d"/*-e2e-*.conf
    rm -rf "$root$unit_d"
    cx systemctl daemon-reload || return
    # Running, so that purging has a process to stop.
    cx systemctl start procwarden && is_active || fail "cannot start procwarden before the purge" || return
    out=$(cx_timeout=180 cx env DEBIAN_FRONTEND=noninteractive apt-get purge -y procwarden 2>&1) ||
        fail "apt-get purge procwarden failed:" "$out" || return
    ! cx dpkg-query -W -f='${Status}' procwarden 2>/dev/null | grep -q installed ||
        fail "dpkg still knows procwarden: $(cx dpkg-query -W -f='${Status}' procwarden)" || return
    [ "$(cx systemctl show -p LoadState --value procwarden)" = not-found ] ||
        fail "procwarden.service is $(cx systemctl show -p LoadState --value procwarden) after purge" || return
    left=$(cx sh -c 'ls -d /lib/systemd/system/procwarden.service /etc/systemd/system/*/procwarden.service \
        /var/lib/procwarden /etc/procwarden 2>/dev/null')
    [ -z "$left" ] || fail "left after purge: $left" || return
    ! cx pgrep -x procwardend >/dev/null || fail "procwardend still runs: $(cx pgrep -a -x procwardend)" || return
    ! cx pgrep -u procwarden >/dev/null || fail "processes of user procwarden: $(cx pgrep -a -u procwarden)"
}

# --- main ------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || { echo "e2e: needs root (debootstrap, systemd-nspawn)" >&2; exit 2; }
exec 4>&1
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM

check "setup: static binaries need only Debian libraries" static_binaries
[ "$failed" -eq 0 ] || finish
started=$(now)
check "setup: $suite root" ensure_root
[ "$failed" -eq 0 ] || finish
check "setup: working copy of the root" make_working_root
[ "$failed" -eq 0 ] || finish
check "setup: systemd-nspawn -b boots systemd" boot
[ "$failed" -eq 0 ] || finish
check "setup: the package and pw-memfd-exec put into the root" stage_files
[ "$failed" -eq 0 ] || finish

check "install: apt-get install ./${deb##*/}: user, catalog, bus policy, enabled and running" check_install
[ "$failed" -eq 0 ] || finish
check "start: drop-in, systemctl restart; is-active says active" check_start
check "status: StatusText" check_status
check "privileges: user procwarden, CapEff=CapPrm=CapBnd=$want_caps, NoNewPrivs" check_privileges
check "roots: host-side procwardend --once --json: no alert for the container's processes, each names its container" check_host_over_container
check "alerts: start a deleted binary and a memfd-executed one" start_suspects
check "alerts: integrity.disk_mismatch in the journal within 5 s" check_disk_mismatch
check "alerts: integrity.memfd_exec in the journal within 5 s" check_memfd_exec
check "alerts: journalctl -x shows the catalog text" check_catalog
check "events: IntervalSec=1h; a running binary deleted is in the journal within 5 s (inotify)" check_event_latency
check "bus: busctl call Rescan returns a summary" check_busctl_rescan
check "procwardenctl status shows the bus properties" check_ctl_status
check "procwardenctl rescan prints the scan's counts" check_ctl_rescan
check "procwardenctl list --state deleted, as busctl ListExecutables" check_ctl_list
check "procwardenctl alerts --rule integrity.disk_mismatch" check_ctl_alerts
check "objects: no library_mismatch, untrusted_code or package_mismatch in the booted system" check_no_false_library_alerts
check "packages: dpkg -i upgrade of a running service is restart_needed; needs-restart names it" check_restart_needed
check "fleet: systemd-journal-upload to systemd-journal-remote; the alert arrives with its fields" check_fleet_upload
check "fleet: procwardenctl alerts --directory <remote> --host, --summary" check_fleet_ctl
check "fleet: journalctl -x -D <remote> shows the catalog text" check_fleet_catalog
check "bus: set-threshold as nobody is denied in one line" check_unprivileged
check "threshold: set-threshold 70 survives systemctl restart" check_threshold_persists
check "upgrade: apt-get install of a repacked higher version restarts the service; threshold and baselines survive" check_upgrade
check "reload: drop-in applied; broken drop-in logged, service keeps running" check_reload
check "watchdog: SIGSTOPped daemon restarted by systemd" check_watchdog
check "stop: clean exit, baselines in state.json, procwardenctl says not running" check_stop
check "purge: apt-get purge leaves no unit, no process, no state directory" check_purge
say "took $(elapsed "$started") s after the build"
finish
