#!/usr/bin/env bash
# fresh-machine.sh [--keep DIR]: what a new user meets on a fresh Debian 12.
#
# Builds a fresh Debian 12 (bookworm) root with debootstrap in a temporary
# directory, clones this checkout's HEAD into it (/root/vmxlab) and runs
# there, as root in the chroot, what the README tells a new user to run:
# the two packages needed to fetch and build (git, make), `make deps`, the
# builds for both kernels, the tool, the guests, the host unit tests, the
# tool tests, the shellcheck and packaging stages of make check, `make
# install` (module, tool, udev rule, group kvm), and the
# emulated machine's kernel and initramfs (Bochs and QEMU must install;
# booting them needs more than a chroot gives, so no boot).
#
# It downloads a few hundred MiB of packages, so it runs on request
# (`make check-fresh`, as root), not in `make check`.  Prints each step's
# time, ends with `N passed, N failed`.  Every mount it makes is undone on
# any exit; the root is deleted unless --keep DIR names where to build it.
# apt in the chroot reaches the mirror this machine's apt uses (its
# sources' URIs and its Acquire:: options).
#
# The step functions run through step "$@" and the trap, which shellcheck
# 0.9.0 takes for unreachable code:
# shellcheck disable=SC2317
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SUITE=bookworm
ROOT=''
KEEP=''
MOUNTS=()
PASSED=0
FAILED=0

say() { echo "fresh-machine: $*"; }
die() { echo "fresh-machine: $*" >&2; exit 2; }

# The URI of the host's apt source for SUITE (deb822 or one-line format),
# else Debian's own.
host_uri() {
	local suite=$1 default=$2 uri
	uri=$(awk -v suite="$suite" '
		/^URIs:/ { uris = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = uris }
		/^$/ { uris = "" }
		END { print found }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	[ -n "$uri" ] || uri=$(awk -v suite="$suite" \
		'$1 == "deb" && $3 == suite { print $2; exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
	echo "${uri:-$default}"
}

# Undo every mount, innermost first; delete the root only when nothing is
# mounted under it any more (a bind-mounted /dev must never be deleted).
cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null ||
			echo "fresh-machine: could not unmount ${MOUNTS[i]}" >&2
	done
	MOUNTS=()
	[ -n "$ROOT" ] && [ -d "$ROOT" ] || return 0
	if [ -n "$(findmnt -rn -o TARGET | grep -F "$ROOT" || true)" ]; then
		echo "fresh-machine: something is still mounted under $ROOT: left in place" >&2
	elif [ -n "$KEEP" ]; then
		say "root kept in $ROOT"
	else
		rm -rf --one-file-system "$ROOT"
	fi
}

mount_in_root() {
	local target="$ROOT$1"
	shift
	mount "$@" "$target" || return 1
	MOUNTS+=("$target")
}

# One step: its name, how long it took, PASS/FAIL; its output in the log,
# the last lines of it on failure.  FATAL steps end the run when they fail
# (nothing after them could run, so each later step counts as failed).
step() {
	local fatal=$1 name=$2 start=$SECONDS log rc
	shift 2
	log="$LOGDIR/$(echo "$name" | tr -c 'A-Za-z0-9\n' '-').log"
	"$@" > "$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		printf 'PASS %-45s %5d s\n' "$name" $((SECONDS - start))
		return 0
	fi
	FAILED=$((FAILED + 1))
	printf 'FAIL %-45s %5d s  (exit %d, log %s)\n' "$name" $((SECONDS - start)) "$rc" "$log"
	tail -n 25 "$log" | sed 's/^/    /'
	if [ "$fatal" = fatal ]; then
		FAILED=$((FAILED + ${#REMAINING[@]}))
		say "cannot go on; not run: ${REMAINING[*]}"
		finish
	fi
	return 0
}

finish() {
	say "$((SECONDS - T0)) s in all; logs in $LOGDIR"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

# A command as the new user types it, as root in the chroot, in the clone.
in_root() {
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive \
		/bin/bash -c "cd /root/vmxlab 2>/dev/null || cd /root; $1"
}

need_debootstrap() {
	command -v debootstrap > /dev/null && return 0
	say "installing debootstrap on this machine"
	apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends debootstrap
}

debootstrap_root() {
	debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR"
}

# The chroot's apt: Debian's sources for bookworm (the host's mirror URIs),
# the host's Acquire:: options (proxy, release-date checks), no services
# started by package scripts, and the host's name resolution.
configure_root() {
	cat > "$ROOT/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	rm -f "$ROOT/etc/apt/sources.list"
	apt-config dump | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' \
		> "$ROOT/etc/apt/apt.conf.d/99host-acquire" || true
	printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
	chmod +x "$ROOT/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# The root a mount point of its own, as on a machine: unshare
	# --propagation (tests/packaging.sh) fails on a / that is none.
	mount_in_root '' --bind "$ROOT" && mount --make-private "$ROOT" &&
		mount_in_root /proc -t proc proc &&
		mount_in_root /sys -t sysfs sysfs &&
		mount_in_root /dev --bind /dev &&
		mount_in_root /dev/pts --bind /dev/pts
}

# What a user has to have before the README's first command: git to clone,
# make to type `make`.
user_prerequisites() {
	in_root 'apt-get update -q && apt-get install -y -q --no-install-recommends git make ca-certificates'
}

# The committed HEAD, cloned as a user clones it (with its history, so that
# the module's version comes from git describe).
clone_checkout() {
	git -C "$TOP" rev-parse --verify HEAD > /dev/null || return 1
	git clone -q --no-hardlinks "$TOP" "$ROOT/root/vmxlab" &&
		git -C "$ROOT/root/vmxlab" log --oneline -1
}

# The README's `sudo make install` (for the newest headers: 6.12): the
# module where modprobe finds it, the tool, the udev rule and group kvm.
make_install() {
	# shellcheck disable=SC2016 # expanded in the chroot
	in_root 'make install &&
		rel=$(sed -n "s/^#define UTS_RELEASE \"\(.*\)\"/\1/p" \
			"$(ls -d /usr/src/linux-headers-6.12.*-amd64 | sort -V | tail -n 1)/include/generated/utsrelease.h") &&
		echo "release $rel" && modinfo -k "$rel" vmxlab &&
		command -v vmxlab && getent group kvm && cat /etc/udev/rules.d/60-vmxlab.rules'
}

# The emulated machine short of booting it: Debian's 6.1 kernel image and
# the initramfs with the module, the tool, the guests and the tests.
machine_image() {
	# shellcheck disable=SC2016 # expanded in the chroot
	in_root 'command -v bochs-bin && command -v qemu-system-x86_64 &&
		abi=$(basename "$(ls -d /usr/src/linux-headers-6.1.*-amd64 | grep -v -e cloud -e rt | sort -V | tail -n 1)" | sed s/linux-headers-//) &&
		echo "abi $abi" &&
		tests/machine/fetch-kernel.sh "$abi" "build/machine/kernel-$abi" &&
		tests/machine/build-initramfs.sh --abi "$abi" --kernel-tree "build/machine/kernel-$abi" \
			--suite fresh --cpus 1 --tests "insmod-info modprobe" --out build/machine/fresh.cpio.gz &&
		ls -l build/machine/fresh.cpio.gz'
}

main() {
	case ${1:-} in
	--keep) [ $# -eq 2 ] || die "usage: $0 [--keep DIR]"; KEEP=$2 ;;
	'') ;;
	*) die "usage: $0 [--keep DIR]" ;;
	esac
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts): sudo make check-fresh"
	T0=$SECONDS
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	if [ -n "$KEEP" ]; then
		[ ! -e "$KEEP" ] || die "$KEEP exists: name a new directory"
		mkdir -p "$KEEP" && ROOT=$(cd "$KEEP" && pwd)
	else
		ROOT=$(mktemp -d /var/tmp/vmxlab-fresh.XXXXXX)
	fi
	# A Debian / is 0755; mktemp's 0700 would lock every user but root
	# out of the chroot (the tool tests run vmxlab as nobody).
	chmod 0755 "$ROOT"
	LOGDIR="$TOP/build/fresh-machine"
	rm -rf "$LOGDIR"
	mkdir -p "$LOGDIR"
	MIRROR=$(host_uri "$SUITE" http://deb.debian.org/debian)
	SECURITY=$(host_uri "$SUITE-security" http://deb.debian.org/debian-security)
	say "root $ROOT, mirror $MIRROR, logs $LOGDIR"

	REMAINING=(all)
	step fatal "host: debootstrap installed" need_debootstrap
	step fatal "debootstrap $SUITE (minbase)" debootstrap_root
	step fatal "chroot: apt sources, mounts" configure_root
	step fatal "user: apt-get install git make" user_prerequisites
	step fatal "user: git clone" clone_checkout
	REMAINING=(builds tests)
	step fatal "make deps" in_root 'make deps'
	REMAINING=()
	step go "make (module for the newest headers, tool)" in_root 'make'
	step go "make modules-all (6.1 and 6.12)" in_root 'make -s modules-all'
	step go "make -C tools static" in_root 'make -s -C tools static'
	step go "make -C tests/guests" in_root 'make -s -C tests/guests'
	step go "make -C tests/unit run" in_root 'make -s -C tests/unit run'
	step go "make -C tools test" in_root 'make -s -C tools test'
	step go "shellcheck (tests/shellcheck.sh)" in_root 'tests/shellcheck.sh'
	step go "DKMS and udev rule (tests/packaging.sh)" in_root 'tests/packaging.sh'
	step go "make install; modinfo -k RELEASE vmxlab" make_install
	step go "emulated machine: kernel, initramfs (no boot)" machine_image
	finish
}

main "$@"
