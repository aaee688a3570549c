#!/usr/bin/env bash
# dkms.sh install [KERNEL...] | remove: vmxlab under DKMS (make dkms-install,
# make dkms-remove; root).
#
# install: copies the module's sources to /usr/src/vmxlab-VERSION (VERSION:
# git describe, also written there for the module's version) with
# dkms.conf, then dkms add, build and install for each KERNEL (a release,
# as in /lib/modules; default: the running kernel).  A version already
# there is replaced.  Later kernels get the module from DKMS's own hooks.
# remove: dkms remove of every vmxlab version, and their /usr/src copies.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

die() { echo "dkms.sh: $*" >&2; exit 1; }

version() {
	cat "$TOP/VERSION" 2>/dev/null ||
		git -C "$TOP" describe --tags --always --dirty 2>/dev/null ||
		die "no version: not a git checkout and no VERSION file"
}

# Every vmxlab version DKMS knows ("vmxlab/V, ..." or "vmxlab/V: added").
known_versions() {
	dkms status -m vmxlab 2>/dev/null | sed -n 's|^vmxlab/\([^,:]*\)[,:].*|\1|p' | sort -u
}

remove_version() {
	local v=$1
	dkms remove -m vmxlab -v "$v" --all || true
	rm -rf "/usr/src/vmxlab-$v"
}

install() {
	local v k kernels=("$@") src
	v=$(version)
	[ ${#kernels[@]} -gt 0 ] || kernels=("$(uname -r)")
	for k in "${kernels[@]}"; do
		[ -f "/lib/modules/$k/build/Makefile" ] ||
			die "no headers for kernel $k (/lib/modules/$k/build): apt-get install linux-headers-$k"
	done
	! known_versions | grep -qxF "$v" || remove_version "$v"
	src=/usr/src/vmxlab-$v
	rm -rf "$src"
	mkdir -p "$src"
	(cd "$TOP" && cp -r Kbuild vmx ept vmcs exits include "$src/")
	find "$src" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \
		-o -name offsets.s -o -name offsets.h \) -delete
	echo "$v" > "$src/VERSION"
	sed "s/@VERSION@/$v/" "$HERE/dkms.conf" > "$src/dkms.conf"
	dkms add -m vmxlab -v "$v"
	for k in "${kernels[@]}"; do
		dkms build -m vmxlab -v "$v" -k "$k"
		dkms install -m vmxlab -v "$v" -k "$k"
	done
	echo "dkms.sh: vmxlab $v installed for ${kernels[*]}; 'modprobe vmxlab' loads it"
}

remove() {
	local v n=0
	for v in $(known_versions); do
		remove_version "$v"
		n=$((n + 1))
	done
	echo "dkms.sh: removed $n vmxlab version(s) from DKMS"
}

main() {
	[ "$(id -u)" = 0 ] || die "must run as root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
	command -v dkms > /dev/null || die "dkms is not installed: apt-get install dkms"
	case ${1:-} in
	install) shift; install "$@" ;;
	remove) remove ;;
	*) die "usage: $0 install [KERNEL...] | remove" ;;
	esac
}

main "$@"
