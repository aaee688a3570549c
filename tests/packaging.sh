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
#
# The udev rule (make install-udev): udevadm test, in a private mount
# namespace with its own /etc/udev/rules.d and /dev (udevadm test applies
# permissions to the real node), must read the rule without an error, and,
# on a misc device this machine has (fuse: there is no /dev/vmxlab here),
# a copy of the rule matching that device's name must give its node the
# rule's group and mode.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

FAILED=0
pass() { echo "PASS packaging/$1"; }
fail() { echo "FAIL packaging/$1: $2"; FAILED=$((FAILED + 1)); }

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
		{ fail "dkms-installed-$series" "dkms status does not list $version as installed for $k: $(dkms status -m vmxlab)"; return; }
	ko=$(installed_module "$k")
	[ -n "$ko" ] || { fail "dkms-installed-$series" "no vmxlab.ko under /lib/modules/$k/updates"; return; }
	pass "dkms-installed-$series"
	magic=$(modinfo -F vermagic "$ko")
	if [ "${magic%% *}" = "$k" ]; then
		pass "dkms-vermagic-$series"
	else
		fail "dkms-vermagic-$series" "$ko has vermagic '$magic', want release $k"
	fi
	v=$(modinfo -F version "$ko")
	if [ "$v" = "$version" ]; then
		pass "dkms-version-$series"
	else
		fail "dkms-version-$series" "modinfo -F version $ko: '$v', want $version"
	fi
}

# udevadm test ACTION DEVICE with RULES (files) as the only rules, in a
# private mount namespace whose /dev holds a node NODE (c MAJ:MIN, 0600
# root): udevadm's output, then the node's "mode group".
udev_test() {
	local device=$1 node=$2 majmin=$3
	shift 3
	# shellcheck disable=SC2016 # the inner shell expands its arguments
	unshare -m --propagation private sh -c '
		set -e
		device=$1 node=$2 majmin=$3
		shift 3
		mount -t tmpfs none /etc/udev/rules.d
		cp "$@" /etc/udev/rules.d/
		mount -t tmpfs none /dev
		mknod -m 0666 /dev/null c 1 3
		mknod -m 0600 "/dev/$node" c "${majmin%:*}" "${majmin#*:}"
		udevadm test --action=add "$device" 2>&1 || true
		echo "node: $(stat -c "%a %G" "/dev/$node")"' sh "$device" "$node" "$majmin" "$@" 2>&1
}

check_udev_rule() {
	local tmp out rule
	tmp=$(mktemp -d)
	if ! command -v udevadm > /dev/null; then
		fail udev-rule "udevadm is not installed: run 'sudo make deps' (Debian package udev)"
	elif ! make -s install-udev DESTDIR="$tmp" > "$tmp/log" 2>&1; then
		fail udev-rule "make install-udev DESTDIR=$tmp failed: $(tail -n 2 "$tmp/log")"
	elif ! getent group kvm > /dev/null && ! groupadd -r kvm; then
		fail udev-rule "no group kvm and groupadd -r kvm failed"
	elif [ ! -e /sys/class/misc/fuse ]; then
		fail udev-rule "no misc device fuse here to try the rule on (modprobe fuse)"
	else
		rule=$tmp/etc/udev/rules.d/60-vmxlab.rules
		out=$(udev_test /sys/class/misc/fuse fuse "$(cat /sys/class/misc/fuse/dev)" "$rule")
		if ! echo "$out" | grep -q "Reading rules file: /etc/udev/rules.d/60-vmxlab.rules"; then
			fail udev-rule "udevadm test did not read the rule: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		elif echo "$out" | grep '60-vmxlab.rules' | grep -qiE 'invalid|error|unknown|fail'; then
			fail udev-rule "udevadm finds fault with the rule: $(echo "$out" | grep '60-vmxlab.rules' | tr '\n' ' ')"
		else
			pass udev-rule-syntax
		fi
		sed 's/KERNEL=="vmxlab"/KERNEL=="fuse"/' "$rule" > "$tmp/60-vmxlab.rules"
		out=$(udev_test /sys/class/misc/fuse fuse "$(cat /sys/class/misc/fuse/dev)" "$tmp/60-vmxlab.rules")
		if echo "$out" | grep -qx 'node: 660 kvm'; then
			pass udev-rule-gives-kvm-0660
		else
			fail udev-rule-gives-kvm-0660 "the rule, matched to fuse, left its node '$(echo "$out" | sed -n 's/^node: //p')', want '660 kvm': $(echo "$out" | grep -E 'GROUP|MODE|60-vmxlab' | tr '\n' ' ')"
		fi
	fi
	rm -rf "$tmp"
}

main() {
	local h61 h612 k61 k612 version log
	[ "$(id -u)" = 0 ] || { fail setup "not root: dkms needs root (sudo make check)"; exit 1; }
	check_udev_rule
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
		pass make-dkms-install; echo "    (dkms add, build, install for $k61 and $k612)"
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
		fail dkms-removed "left behind: $(dkms status -m vmxlab) $(ls -d /usr/src/vmxlab-* 2>/dev/null) $(installed_module "$k61") $(installed_module "$k612")"
	else
		pass dkms-removed
	fi
	[ "$FAILED" -eq 0 ]
}

main "$@"
