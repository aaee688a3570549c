#!/usr/bin/env bash
# tests/packaging.sh: the packaging stage of make check (root): DKMS, udev.
#
# make dkms-install for Debian 12's 6.1 and the 6.12 LTS headers: dkms
# add, build and install must succeed, DKMS must list the version as
# installed for both kernels, and the module it installed for each must
# carry that kernel's release in its vermagic (modinfo -F vermagic) and the
# version in modinfo; then make dkms-remove must leave nothing behind
# (DKMS's list, /usr/src, /lib/modules).  One `PASS dkms/...` or
# `FAIL dkms/...: why` line each.  A vmxlab a user installed with DKMS
# before is not touched: the test fails and says so.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

FAILED=0
pass() { echo "PASS dkms/$1"; }
fail() { echo "FAIL dkms/$1: $2"; FAILED=$((FAILED + 1)); }

# The release a headers directory builds for (UTS_RELEASE), as in Makefile.
release_of() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$1/include/generated/utsrelease.h"
}

newest_headers() {
	# shellcheck disable=SC2010 # Debian's names have no odd characters
	ls -d /usr/src/linux-headers-"$1".*-amd64 2>/dev/null |
		grep -v -e cloud -e -rt | sort -V | tail -n 1
}

installed_module() {
	find "/lib/modules/$1/updates" -name 'vmxlab.ko*' 2>/dev/null | head -n 1
}

check_kernel() {
	local series=$1 k=$2 version=$3 ko magic v
	dkms status -m vmxlab -v "$version" -k "$k" | grep -q ': installed' ||
		{ fail "installed-$series" "dkms status does not list $version as installed for $k: $(dkms status -m vmxlab)"; return; }
	ko=$(installed_module "$k")
	[ -n "$ko" ] || { fail "installed-$series" "no vmxlab.ko under /lib/modules/$k/updates"; return; }
	pass "installed-$series"
	magic=$(modinfo -F vermagic "$ko")
	if [ "${magic%% *}" = "$k" ]; then
		pass "vermagic-$series"
	else
		fail "vermagic-$series" "$ko has vermagic '$magic', want release $k"
	fi
	v=$(modinfo -F version "$ko")
	if [ "$v" = "$version" ]; then
		pass "version-$series"
	else
		fail "version-$series" "modinfo -F version $ko: '$v', want $version"
	fi
}

main() {
	local h61 h612 k61 k612 version log
	[ "$(id -u)" = 0 ] || { fail setup "not root: dkms needs root (sudo make check)"; exit 1; }
	command -v dkms > /dev/null || { fail setup "dkms is not installed: run 'sudo make deps'"; exit 1; }
	h61=$(newest_headers 6.1)
	h612=$(newest_headers 6.12)
	if [ -z "$h61" ] || [ -z "$h612" ]; then
		fail setup "6.1 or 6.12 headers missing under /usr/src: run 'sudo make deps'"
		exit 1
	fi
	k61=$(release_of "$h61")
	k612=$(release_of "$h612")
	if dkms status -m vmxlab | grep -q .; then
		fail setup "vmxlab is already under DKMS here ($(dkms status -m vmxlab | head -n 1)); left alone: 'make dkms-remove' first to run this test"
		exit 1
	fi
	version=$(git describe --tags --always --dirty)
	log=$(mktemp)
	if make -s dkms-install DKMS_KERNELS="$k61 $k612" > "$log" 2>&1; then
		pass "make-dkms-install (add, build, install: $k61 $k612)"
		check_kernel 6.1 "$k61" "$version"
		check_kernel 6.12 "$k612" "$version"
	else
		fail "make-dkms-install" "failed: $(grep -iE 'error|failed' "$log" | tail -n 3 | tr '\n' ' ')"
		sed 's/^/    /' "$log" | tail -n 30
	fi
	if make -s dkms-remove > "$log" 2>&1; then
		pass make-dkms-remove
	else
		fail make-dkms-remove "failed: $(tail -n 3 "$log" | tr '\n' ' ')"
	fi
	rm -f "$log"
	if dkms status -m vmxlab | grep -q . || [ -e "/usr/src/vmxlab-$version" ] ||
		[ -n "$(installed_module "$k61")$(installed_module "$k612")" ]; then
		fail removed "left behind: $(dkms status -m vmxlab) $(ls -d /usr/src/vmxlab-* 2>/dev/null) $(installed_module "$k61") $(installed_module "$k612")"
	else
		pass removed
	fi
	[ "$FAILED" -eq 0 ]
}

main "$@"
