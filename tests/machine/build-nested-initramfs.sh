#!/usr/bin/env bash
# build-nested-initramfs.sh: Debian's QEMU and a Linux guest for it, added
# to the emulated machine's initramfs root (tests/qemu-linux.sh).
#
#   build-nested-initramfs.sh --abi ABI --kernel-tree DIR --root ROOT
#
# Adds to ROOT:
#   /usr/bin/qemu-system-x86_64 and every library `ldd` lists, at the same
#       paths (so it runs unchanged, with the system's dynamic loader);
#   /qemu/firmware/  bios-256k.bin (SeaBIOS), linuxboot_dma.bin (-kernel),
#       kvmvapic.bin: the firmware QEMU loads for `-M pc` (passed with -L);
#   /qemu/vmlinuz    Debian's kernel ABI (the one the machine boots);
#   /qemu/initrd.gz  a busybox initramfs whose /init runs the script that
#       qemu-linux.sh judges (nested-init.sh), then powers off.
# QEMU with its libraries is about 50 MB: build-initramfs.sh adds it only
# when a test that needs it is selected.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
QEMU=/usr/bin/qemu-system-x86_64
FIRMWARE=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin
	/usr/share/qemu/kvmvapic.bin)

die() { echo "build-nested-initramfs: $*" >&2; exit 1; }

parse_args() {
	ABI='' KTREE='' ROOT=''
	while [ $# -gt 0 ]; do
		case $1 in
		--abi) ABI=$2 ;;
		--kernel-tree) KTREE=$2 ;;
		--root) ROOT=$2 ;;
		*) die "unknown argument $1" ;;
		esac
		shift 2
	done
	if [ -z "$ABI" ] || [ -z "$KTREE" ] || [ -z "$ROOT" ]; then
		die "usage: $0 --abi ABI --kernel-tree DIR --root ROOT"
	fi
}

# The binary and what the dynamic loader needs to start it: every path
# `ldd` prints (libraries and the loader itself), copied as files.
install_qemu() {
	local root=$1 lib
	[ -x "$QEMU" ] || die "$QEMU missing: install qemu-system-x86 (tests/install-deps.sh)"
	mkdir -p "$root/usr/bin"
	cp "$QEMU" "$root/usr/bin/"
	for lib in $(ldd "$QEMU" | grep -oE '/[^ ]+'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	mkdir -p "$root/qemu/firmware"
	for lib in "${FIRMWARE[@]}"; do
		[ -f "$lib" ] || die "$lib missing (packages seabios, qemu-system-data)"
		cp "$lib" "$root/qemu/firmware/"
	done
}

# The nested guest's own initramfs: static busybox and nested-init.sh.
build_guest_initrd() {
	local out=$1 dir
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp}
	cp /bin/busybox "$dir/bin/busybox"
	! readelf -l "$dir/bin/busybox" | grep -q INTERP ||
		die "/bin/busybox is not static: install busybox-static"
	ln -s busybox "$dir/bin/sh"
	cp "$HERE/nested-init.sh" "$dir/init"
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out"
	rm -rf "$dir"
}

main() {
	parse_args "$@"
	local vmlinuz="$KTREE/boot/vmlinuz-$ABI"
	[ -f "$vmlinuz" ] || die "$vmlinuz missing (run fetch-kernel.sh)"
	install_qemu "$ROOT"
	cp "$vmlinuz" "$ROOT/qemu/vmlinuz"
	build_guest_initrd "$ROOT/qemu/initrd.gz"
}

main "$@"
