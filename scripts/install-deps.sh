#!/usr/bin/env bash
# Installs the Debian packages procwarden builds, tests and benchmarks with,
# skipping the ones already present. Idempotent; needs root to install.
set -euo pipefail

packages=(
    # build
    pkg-config libsystemd-dev libssl-dev libfuzzy-dev libcap-dev
    # tests: reference digests, capability tools, setpriv, journald, dbus
    ssdeep coreutils util-linux libcap2-bin procps systemd dbus-daemon dbus-bin python3
    # tests: the collector side of the fleet (CtlFleetTests, SPEC §16)
    systemd-journal-remote
    # tests: rendering the man pages; make install into a scratch prefix
    man-db groff-base make
    # bench-compare peers
    needrestart
)
for flag in "$@"; do
    case $flag in
    --e2e)
        # make e2e: the container root and its boot; readelf checks the static
        # binaries
        packages+=(debootstrap systemd-container binutils)
        ;;
    --deb)
        # make deb: dpkg-buildpackage with debhelper (dh_installsystemd,
        # dh_installsysusers come with compat 13), dpkg-shlibdeps, lintian
        packages+=(debhelper dpkg-dev fakeroot lintian binutils)
        ;;
    *)
        echo "install-deps: unknown option $flag (want --e2e or --deb)" >&2
        exit 2
        ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
