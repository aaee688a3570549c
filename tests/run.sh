#!/usr/bin/env bash
# make run: show vmxlab working, on this CPU if it has usable VT-x, else in
# the emulated machine (Bochs, an emulated Haswell with VT-x and EPT).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "make run: $*"; }

# Usable VT-x here: the CPU flag, and the module can be built for the
# running kernel.
have_local_vmx() {
	grep -qw vmx /proc/cpuinfo && [ -f "/lib/modules/$(uname -r)/build/Makefile" ]
}

run_here() {
	say "this CPU has VT-x: loading vmxlab.ko into the running kernel"
	make -s all
	lsmod | grep -q '^vmxlab ' || insmod ./vmxlab.ko
	tools/vmxlab info
	make -s -C tests/guests
	say "running a test guest under vmxlab (--trace: every exit, decoded)"
	tools/vmxlab run --trace tests/guests/build/hello.bin
	tools/vmxlab run --mode long tests/guests/build/hello-long.bin
}

run_emulated() {
	say "no usable VT-x on this CPU: booting the emulated machine (a few minutes: Bochs emulates every instruction)"
	make -s modules-all
	make -s -C tools static
	make -s -C tests/guests
	tests/machine/boot.sh --kernel 6.1 --cpus 2 --tests none --out build/run \
		--shell-cmd 'insmod /vmxlab.ko && vmxlab info &&
			echo "== a test guest in real mode, every exit traced:" &&
			vmxlab run --trace /guests/hello.bin &&
			echo "== the same greeting from a 64-bit guest:" &&
			vmxlab run --mode long /guests/hello-long.bin'
}

main() {
	if [ "$(id -u)" = 0 ]; then
		tests/install-deps.sh
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
