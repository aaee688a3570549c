#!/usr/bin/env bash
# build-initramfs.sh: the initramfs of the emulated machine.
#
#   build-initramfs.sh --abi ABI --kernel-tree DIR --suite NAME --cpus N \
#       --tests "NAME..." [--shell-cmd CMD] [--with-qemu] --out FILE.cpio.gz
#
# Contents: busybox (static), /init (init.sh: runs the tests, powers off),
# /vmxlab.ko (build/ABI/vmxlab.ko, also installed under /lib/modules by
# `make install-module`), /bin/vmxlab (tools/vmxlab-static, if
# built), Debian's kvm modules for ABI under /kvm, the static programs of
# progs/, the test guests of tests/guests (built by `make -C tests/guests`,
# if built, with their CPUID tables) under /guests, the tests under /tests and /etc/vmxlab.conf
# saying which to run.  Debian's QEMU and a Linux guest for it
# (build-nested-initramfs.sh, about 27 MB compressed) only when a selected
# test says `# needs: qemu`, or with --with-qemu (for CMD: make run): the
# rest of the suite boots without them.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

die() { echo "build-initramfs: $*" >&2; exit 1; }

parse_args() {
	ABI='' KTREE='' SUITE='' CPUS=1 TESTS='' SHELL_CMD='' OUT='' WITH_QEMU=''
	while [ $# -gt 0 ]; do
		case $1 in
		--abi) ABI=$2 ;;
		--kernel-tree) KTREE=$2 ;;
		--suite) SUITE=$2 ;;
		--cpus) CPUS=$2 ;;
		--tests) TESTS=$2 ;;
		--shell-cmd) SHELL_CMD=$2 ;;
		--out) OUT=$2 ;;
		--with-qemu) WITH_QEMU=yes; shift; continue ;;
		*) die "unknown argument $1" ;;
		esac
		shift 2
	done
	if [ -z "$ABI" ] || [ -z "$KTREE" ] || [ -z "$SUITE" ] || [ -z "$OUT" ]; then
		die "usage: $0 --abi ABI --kernel-tree DIR --suite NAME --cpus N --tests LIST [--shell-cmd CMD] [--with-qemu] --out FILE"
	fi
	# Absolute: make -C runs modules_install from the kernel's tree.
	OUT=$(realpath -m "$OUT")
	KTREE=$(realpath -m "$KTREE")
}

# Static, because the initramfs has no C library.  A program is
# progs/NAME.c or a directory progs/NAME/ of .c files; each is linked
# with progs/lib.c, the helpers they share.
build_progs() {
	local dir=$1 p srcs
	mkdir -p "$dir"
	for p in "$HERE"/progs/*.c "$HERE"/progs/*/; do
		if [ ! -e "$p" ] || [ "$p" = "$HERE/progs/lib.c" ]; then
			continue
		fi
		p=${p%/}
		if [ -d "$p" ]; then srcs=("$p"/*.c); else srcs=("$p"); fi
		gcc -static -O2 -Wall -Wextra -Werror -I"$TOP/include" \
			-o "$dir/$(basename "$p" .c)" "$HERE/progs/lib.c" "${srcs[@]}"
	done
}

install_busybox() {
	local root=$1
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib,kvm,tests}
	cp /bin/busybox "$root/bin/busybox"
	! readelf -l "$root/bin/busybox" | grep -q INTERP ||
		die "/bin/busybox is not static: install busybox-static"
	ln -s busybox "$root/bin/sh"	# for /init's #!; the rest at boot
}

install_kvm_modules() {
	local root=$1 m f
	for m in irqbypass kvm kvm-intel; do
		f=$(find "$KTREE/lib/modules/$ABI/kernel" -name "$m.ko" | head -n 1)
		[ -n "$f" ] || die "$m.ko not in $KTREE (run fetch-kernel.sh)"
		cp "$f" "$root/kvm/"
	done
}

install_vmxlab() {
	local root=$1
	local ko="$TOP/build/$ABI/vmxlab.ko"
	[ -f "$ko" ] || die "$ko missing: run 'make build/$ABI/vmxlab.ko'"
	cp "$ko" "$root/vmxlab.ko"
	# Also as `make install` puts it on a host, so that modprobe finds it
	# (tests/modprobe.sh): the same make target, staged into the root.
	make -s -C "$TOP" install-module KDIR="/usr/src/linux-headers-$ABI" \
		MODULE_DIR="$TOP/build/$ABI" INSTALL_MOD_PATH="$root" > "$OUT.install.log" 2>&1 ||
		die "make install-module failed: $(tail -n 3 "$OUT.install.log")"
	# The udev rule `make install` installs (tests/device-perms.sh).
	make -s -C "$TOP" install-udev DESTDIR="$root" >> "$OUT.install.log" 2>&1 ||
		die "make install-udev failed: $(tail -n 3 "$OUT.install.log")"
	# Without the tool, the tests that need it fail (need_tool), never pass.
	if [ -x "$TOP/tools/vmxlab-static" ]; then
		cp "$TOP/tools/vmxlab-static" "$root/bin/vmxlab"
	else
		echo "build-initramfs: tools/vmxlab-static not built: tests needing it will FAIL" >&2
	fi
}

# Without them, the tests that run guests fail ("not run"), never pass.
install_guests() {
	local root=$1 built="$TOP/tests/guests/build" src name
	mkdir -p "$root/guests"
	if ls "$built"/*.bin > /dev/null 2>&1; then
		# Only guests whose source is there: a build directory may
		# still hold a guest since removed.
		for src in "$TOP"/tests/guests/*.S; do
			name=$(basename "$src" .S)
			cp "$built/$name.bin" "$root/guests/" 2>/dev/null ||
				echo "build-initramfs: $name.bin not built" >&2
			[ ! -f "${src%.S}.manifest" ] || cp "$built/$name.manifest" "$root/guests/"
		done
		# CPUID tables the manifests name (--cpuid-file /guests/NAME.cpuid).
		! ls "$built"/*.cpuid > /dev/null 2>&1 || cp "$built"/*.cpuid "$root/guests/"
	else
		echo "build-initramfs: tests/guests not built: tests needing them will FAIL" >&2
	fi
	mkdir -p "$root/traces"
	cp "$HERE/traces/"*.exit-trace "$root/traces/"
	mkdir -p "$root/bench"
	if ls "$TOP/tests/bench/build/"*.bin > /dev/null 2>&1; then
		cp "$TOP/tests/bench/build/"*.bin "$root/bench/"
	else
		# Only make bench's command runs them: no word of them elsewhere
		# (make run's screen, the suites).
		case $SHELL_CMD in
		*bench-client*) echo "build-initramfs: tests/bench not built: benchmarks will FAIL" >&2 ;;
		esac
	fi
}

install_tests() {
	local root=$1 t
	cp "$HERE/init.sh" "$root/init"
	cp "$HERE/lib.sh" "$root/lib/vmxlab-test.sh"
	cp "$HERE/guests.sh" "$root/lib/vmxlab-guests.sh"
	cp "$HERE/differences.txt" "$root/lib/vmxlab-differences.txt"
	for t in $TESTS; do
		cp "$HERE/tests/$t.sh" "$root/tests/" || die "no test $t"
	done
	# TEST_TIMEOUT: emulated seconds per test (the slowest, differential,
	# runs the corpus on two devices in about 50); a hung test then fails
	# and the next ones still run.
	cat > "$root/etc/vmxlab.conf" <<CONF
SUITE='$SUITE'
EXPECT_CPUS=$CPUS
TESTS='$TESTS'
TEST_TIMEOUT=150
CONF
	[ -z "$SHELL_CMD" ] || printf '%s\n' "$SHELL_CMD" > "$root/etc/shell-cmd"
	chmod +x "$root/init" "$root"/tests/* 2>/dev/null || true
}

needs_qemu() {
	local t
	[ -z "$WITH_QEMU" ] || return 0
	for t in $TESTS; do
		grep -q '^# needs: .*\<qemu\>' "$HERE/tests/$t.sh" && return 0
	done
	return 1
}

install_qemu_if_needed() {
	local root=$1
	needs_qemu || return 0
	"$HERE/build-nested-initramfs.sh" --abi "$ABI" --kernel-tree "$KTREE" --root "$root"
}

main() {
	parse_args "$@"
	local work="$OUT.d"
	rm -rf "$work"
	mkdir -p "$work"
	local root="$work/root"
	install_busybox "$root"
	build_progs "$root/bin"
	install_kvm_modules "$root"
	install_vmxlab "$root"
	install_guests "$root"
	install_tests "$root"
	install_qemu_if_needed "$root"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT"
	rm -rf "$work"
}

main "$@"
