#!/usr/bin/env bash
# fetch-kernel.sh ABI OUTDIR: unpack Debian's kernel image package for ABI
# (e.g. 6.1.0-56-amd64) into OUTDIR, for booting in an emulator.
#
# Why not apt-get install: the image must not become this machine's boot
# kernel; we only need its files.  `apt-get download` fetches the .deb
# into the current directory without touching the system.
# Result: OUTDIR/boot/vmlinuz-ABI and OUTDIR/lib/modules/ABI/..., with the
# kvm modules decompressed (6.12 ships .ko.xz; busybox insmod wants .ko).
set -euo pipefail

die() { echo "fetch-kernel: $*" >&2; exit 1; }

# The three modules the in-machine KVM tests load, in load order.
KVM_MODULES=(lib/irqbypass kvm/kvm kvm/kvm-intel)

download_deb() {
	local abi=$1 dir=$2 pkg
	for pkg in "linux-image-$abi" "linux-image-$abi-unsigned"; do
		if (cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>&1); then
			ls "$dir"/"${pkg}"_*.deb
			return 0
		fi
	done
	die "apt-get download linux-image-$abi (or -unsigned) failed (is apt's package list current? 'apt-get update')"
}

# 6.12 compresses modules; busybox's insmod reads plain ELF only.
decompress_kvm_modules() {
	local moddir=$1 m f
	for m in "${KVM_MODULES[@]}"; do
		f=$(find "$moddir" -path "*/$m.ko*" | head -n 1)
		[ -n "$f" ] || die "module $m not found under $moddir"
		case $f in *.xz) xz -d -f "$f" ;; esac
	done
}

main() {
	[ $# -eq 2 ] || die "usage: $0 ABI OUTDIR"
	local abi=$1 out=$2
	if [ -f "$out/boot/vmlinuz-$abi" ] && [ -f "$out/.complete" ]; then
		return 0	# cached
	fi
	rm -rf "$out"
	mkdir -p "$out/deb"
	local deb
	deb=$(download_deb "$abi" "$out/deb")
	dpkg-deb -x "$deb" "$out"
	rm -rf "$out/deb"
	[ -f "$out/boot/vmlinuz-$abi" ] || die "no boot/vmlinuz-$abi in $deb"
	decompress_kvm_modules "$out/lib/modules/$abi"
	touch "$out/.complete"
}

main "$@"
