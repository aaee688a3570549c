#!/usr/bin/env bash
# make run: show vmxlab working, on this CPU if it has usable VT-x, else in
# the emulated machine (Bochs, an emulated Haswell with VT-x and EPT):
# vmxlab's verdict on the CPU, a test guest with its exits traced, a 64-bit
# one, then Debian's QEMU 7.2 booting Linux on vmxlab (tests/run-show.sh).
# A screenful; the whole outputs go to files it names.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "make run: $*"; }

# Every step that fails says which one and what to do; none ends silently.
must() {
	local what=$1 fix=$2 rc=0 cmd
	shift 2
	"$@" || rc=$?
	[ "$rc" -ne 0 ] || return 0
	cmd="$*"	# the emulated machine's is a script: its start is enough
	[ "${#cmd}" -le 160 ] || cmd="${cmd:0:160} ..."
	say "FAILED: $what (exit $rc; command: $cmd)" >&2
	say "what to do: $fix" >&2
	exit 1
}

# Usable VT-x here: the CPU flag, and the module can be built for the
# running kernel.
have_local_vmx() {
	grep -qw vmx /proc/cpuinfo && [ -f "/lib/modules/$(uname -r)/build/Makefile" ]
}

# QEMU on vmxlab here: Debian's QEMU boots the running kernel with the
# emulated machine's nested guest (build-nested-initramfs.sh, which also
# copies QEMU into ROOT: unused here, simpler than a second way to build
# the guest).  Without QEMU or the kernel's image, a message and no
# failure: the test guests' verdict stands.
qemu_here() {
	local abi major root=$PWD/build/run-here/nested
	abi=$(uname -r)
	if ! command -v qemu-system-x86_64 > /dev/null; then
		say "Debian's QEMU booting Linux on vmxlab: skipped, qemu-system-x86_64 is not installed (Debian: sudo apt-get install qemu-system-x86)"
		return 0
	fi
	major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	if [ "${major:-0}" -ge 8 ]; then
		say "Debian's QEMU booting Linux on vmxlab: skipped, it needs QEMU 7.2 (Debian 12's): QEMU 8.0 and later refuse kernel-irqchip=off, the user-space local APIC, with KVM"
		return 0
	fi
	if [ ! -r "/boot/vmlinuz-$abi" ]; then
		say "Debian's QEMU booting Linux on vmxlab: skipped, no readable /boot/vmlinuz-$abi (the running kernel's image) to boot"
		return 0
	fi
	rm -rf "$root"
	must "building the nested guest (the running kernel, a busybox initramfs)" \
		"see build-nested-initramfs' message above; 'sudo make deps' installs busybox-static, cpio, seabios" \
		tests/machine/build-nested-initramfs.sh --abi "$abi" --kernel-tree / --root "$root"
	must "QEMU booting Linux on vmxlab" \
		"its lines above say why; QEMU's whole output: build/run-here/qemu-linux.log; 'dmesg | grep vmxlab'" \
		show_qemu_linux "$root/qemu/vmlinuz" "$root/qemu/initrd.gz" 60 seconds
}

run_here() {
	say "this CPU has VT-x: loading vmxlab.ko into the running kernel"
	must "building vmxlab.ko and the tool" \
		"read the compiler errors above; missing headers: sudo apt-get install linux-headers-$(uname -r)" \
		make -s all
	lsmod | grep -q '^vmxlab ' || must "loading vmxlab.ko" \
		"run as root; 'dmesg | grep vmxlab' names the cause (README: What the load and the tool say)" \
		insmod ./vmxlab.ko
	must "building the test guests" "read the assembler errors above; 'sudo make deps' installs binutils" \
		make -s -C tests/guests
	# shellcheck source=/dev/null # checked on its own
	. tests/run-show.sh
	# shellcheck disable=SC2034 # run-show.sh's settings
	VMXLAB=$PWD/tools/vmxlab DETAILS=$PWD/build/run-here WHERE=build/run-here
	mkdir -p "$DETAILS"
	must "vmxlab info" "see its message above" show_info
	echo "== a test guest in real mode, every exit traced (vmxlab run --trace):"
	must "running a guest" "see the tool's message above and 'dmesg | grep vmxlab'" \
		show_trace tests/guests/build/hello.bin
	echo "== the same greeting from a 64-bit guest (vmxlab run --mode long):"
	must "running a 64-bit guest" "see the tool's message above and 'dmesg | grep vmxlab'" \
		tools/vmxlab run --mode long tests/guests/build/hello-long.bin
	qemu_here
}

# What the emulated machine runs (boot.sh --shell-cmd, busybox sh): the
# functions of tests/run-show.sh, then the steps; the whole outputs leave
# the machine as VMXLAB-FILE lines (boot.sh: build/run/files/).
machine_cmd() {
	cat tests/run-show.sh
	cat <<'CMD'
VMXLAB=vmxlab DETAILS=/tmp/show WHERE=build/run/files
mkdir -p "$DETAILS"
PATH=$PATH:/usr/bin	# /init's is /bin:/sbin; QEMU is /usr/bin/qemu-system-x86_64
send_files() {
	local f line
	for f in "$DETAILS"/*; do
		[ -f "$f" ] || continue
		tr -d '\r' < "$f" | cut -c1-700 | while IFS= read -r line; do
			echo "<3>VMXLAB-FILE ${f##*/} $line" > /dev/kmsg
		done
	done
}
show() {
	insmod /vmxlab.ko || return 1
	show_info || return 1
	echo "== a test guest in real mode, every exit traced (vmxlab run --trace):"
	show_trace /guests/hello.bin || return 1
	echo "== the same greeting from a 64-bit guest (vmxlab run --mode long):"
	vmxlab run --mode long /guests/hello-long.bin || return 1
	# Debian's kernel boots in about 37 emulated seconds on vmxlab.
	show_qemu_linux /qemu/vmlinuz /qemu/initrd.gz 150 "emulated seconds" /qemu/firmware
}
show
rc=$?
send_files
exit "$rc"
CMD
}

# One CPU, as in the machines where the QEMU boot is checked (make
# check's 6.12 boot, make check-qemu on 6.1).
run_emulated() {
	say "no usable VT-x on this CPU: booting the emulated machine (about 5 minutes: Bochs emulates every instruction)"
	must "building vmxlab.ko for the 6.1 and 6.12 kernels" \
		"read the errors above; missing headers: 'sudo make deps'" make -s modules-all
	must "building the static tool" "read the errors above; 'sudo make deps' installs the C library's static parts" \
		make -s -C tools static
	must "building the test guests" "read the assembler errors above; 'sudo make deps' installs binutils" \
		make -s -C tests/guests
	must "the emulated machine" \
		"the lines above say which step; the serial log is build/run/serial.out, the whole outputs build/run/files/; Bochs, QEMU and the kernel packages come from 'sudo make deps'" \
		tests/machine/boot.sh --kernel 6.1 --cpus 1 --tests none --with-qemu --out build/run \
		--shell-cmd "$(machine_cmd)"
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
