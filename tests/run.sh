#!/usr/bin/env bash
# make run: show vmxlab working, on this CPU if it has usable VT-x, else in
# the emulated machine (Bochs, an emulated Haswell with VT-x and EPT).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "make run: $*"; }

# Every step that fails says which one and what to do; none ends silently.
must() {
	local what=$1 fix=$2
	shift 2
	"$@" && return 0
	say "FAILED: $what (exit $?; command: $*)" >&2
	say "what to do: $fix" >&2
	exit 1
}

# Usable VT-x here: the CPU flag, and the module can be built for the
# running kernel.
have_local_vmx() {
	grep -qw vmx /proc/cpuinfo && [ -f "/lib/modules/$(uname -r)/build/Makefile" ]
}

run_here() {
	say "this CPU has VT-x: loading vmxlab.ko into the running kernel"
	must "building vmxlab.ko and the tool" \
		"read the compiler errors above; missing headers: sudo apt-get install linux-headers-$(uname -r)" \
		make -s all
	lsmod | grep -q '^vmxlab ' || must "loading vmxlab.ko" \
		"run as root; 'dmesg | grep vmxlab' names the cause (README: What the load and the tool say)" \
		insmod ./vmxlab.ko
	must "vmxlab info" "see its message above" tools/vmxlab info
	must "building the test guests" "read the assembler errors above; 'sudo make deps' installs binutils" \
		make -s -C tests/guests
	say "running a test guest under vmxlab (--trace: every exit, decoded)"
	must "running a guest" "see the tool's message above and 'dmesg | grep vmxlab'" \
		tools/vmxlab run --trace tests/guests/build/hello.bin
	must "running a 64-bit guest" "see the tool's message above and 'dmesg | grep vmxlab'" \
		tools/vmxlab run --mode long tests/guests/build/hello-long.bin
}

run_emulated() {
	say "no usable VT-x on this CPU: booting the emulated machine (a few minutes: Bochs emulates every instruction)"
	must "building vmxlab.ko for the 6.1 and 6.12 kernels" \
		"read the errors above; missing headers: 'sudo make deps'" make -s modules-all
	must "building the static tool" "read the errors above; 'sudo make deps' installs the C library's static parts" \
		make -s -C tools static
	must "building the test guests" "read the assembler errors above; 'sudo make deps' installs binutils" \
		make -s -C tests/guests
	must "the emulated machine" \
		"boot.sh's messages above say which step; its serial log is build/run/serial.out; Bochs and the kernel packages come from 'sudo make deps'" \
		tests/machine/boot.sh --kernel 6.1 --cpus 2 --tests none --out build/run \
		--shell-cmd 'insmod /vmxlab.ko && vmxlab info &&
			echo "== a test guest in real mode, every exit traced:" &&
			vmxlab run --trace /guests/hello.bin &&
			echo "== the same greeting from a 64-bit guest:" &&
			vmxlab run --mode long /guests/hello-long.bin'
}

main() {
	if [ "$(id -u)" = 0 ]; then
		must "installing the Debian packages" "see install-deps' message above" tests/install-deps.sh
	else
		say "not root: skipping package installation (run 'sudo make run' on a fresh machine)"
	fi
	if have_local_vmx; then
		run_here
	else
		run_emulated
	fi
}

main "$@"
