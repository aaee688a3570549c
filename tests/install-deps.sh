#!/usr/bin/env bash
# Install what vmxlab's build and tests need, from Debian's packages.
#
# Debian 12 (bookworm) as root: the 6.1 kernel headers and image, the 6.12
# LTS headers and image from bookworm-backports, Bochs (VMX with EPT),
# QEMU (a CPU without VMX), the pieces of a bootable initramfs/ISO, and
# Check, the C unit-test framework; shellcheck for the scripts, dkms for
# the packaging test, udev (udevadm) for the device rule, clang and its
# libFuzzer/sanitizer runtime for tests/fuzz.  Already-installed
# packages are left alone, so a second run costs a few seconds.  Every step
# that fails says which one and how to go on; none ends the script silently.
set -euo pipefail

PACKAGES=(
	build-essential binutils bc kmod pkg-config check
	linux-headers-amd64
	bochs bochsbios vgabios bochs-term
	qemu-system-x86
	busybox-static cpio gzip xz-utils
	syslinux-common isolinux genisoimage
	util-linux python3
	shellcheck dkms udev
	clang libclang-rt-14-dev
)

BACKPORTS=/etc/apt/sources.list.d/vmxlab-bookworm-backports.sources

die() { echo "install-deps: $*" >&2; exit 1; }

have_backports() {
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/
}

add_backports() {
	have_backports && return 0
	echo "install-deps: adding bookworm-backports (for the 6.12 LTS kernel) in $BACKPORTS"
	cat > "$BACKPORTS" <<'SRC' || die "cannot write $BACKPORTS"
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

# The newest 6.12 LTS headers package that backports offers.
newest_612_headers() {
	apt-cache pkgnames linux-headers-6.12 |
		grep -E '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' | sort -V | tail -n 1
}

# The 6.12 headers already installed, if any.  A glob, not `ls`: under
# `set -euo pipefail` an `ls` that finds nothing ends the script silently,
# which is how a fresh machine used to stop before installing anything.
installed_612_headers() {
	local d found=''
	for d in /usr/src/linux-headers-6.12.*+deb12-amd64; do
		[ -d "$d" ] && found=$d
	done
	echo "$found"
}

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			echo "$p"
	done
}

main() {
	[ "$(id -u)" = 0 ] || die "must run as root to install packages (try: sudo $0)"
	command -v apt-get >/dev/null || die "apt-get not found: vmxlab's tests expect Debian 12"
	add_backports
	local want=("${PACKAGES[@]}")
	local h612 h612_pkg
	h612=$(installed_612_headers)
	local missing
	missing=$(missing_packages "${want[@]}")
	if [ -n "$missing" ] || [ -z "$h612" ]; then
		echo "install-deps: missing: ${missing//$'\n'/ }${h612:-" the 6.12 headers"}"
		apt_update
		if [ -z "$h612" ]; then
			h612_pkg=$(newest_612_headers_or_die)
			want+=("$h612_pkg")
		fi
		apt_install "${want[@]}"
	fi
	echo "install-deps: all packages present"
}

LOG=$(mktemp /tmp/vmxlab-install-deps.XXXXXX)
trap 'rm -f "$LOG"' EXIT

# Runs apt, keeping its output; on failure prints the step, apt's last
# lines and the usual ways out, then exits.
apt_step() {
	local what=$1
	shift
	"$@" > "$LOG" 2>&1 && return 0
	echo "install-deps: $what failed ($*):" >&2
	tail -n 15 "$LOG" | sed 's/^/    /' >&2
	die "$what failed: check the network and /etc/apt/sources.list*, then run 'sudo make deps' again"
}

apt_update() {
	apt_step "apt-get update" apt-get update -q
}

apt_install() {
	apt_step "apt-get install" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "$@"
}

newest_612_headers_or_die() {
	local pkg
	pkg=$(newest_612_headers) || true
	[ -n "$pkg" ] || die "no linux-headers-6.12.*+deb12-amd64 in apt's lists: is bookworm-backports in the sources ($BACKPORTS)? Run 'apt-get update' and look for errors"
	echo "$pkg"
}

main "$@"
