#!/bin/sh
# machines: bochs-6.12
# needs: qemu
# timeout: 300
# (`make check-qemu` runs it on 6.1.)  Debian 12's unmodified QEMU 7.2,
# its default CPU model and one vCPU (with -smp 2 Debian's QEMU 7.2.22
# hangs in SeaBIOS on kvm_intel too: a pending SIPI it never clears with
# a user-space APIC; README, "Boot Linux under QEMU on vmxlab"), boots
# the machine's own Debian kernel with a busybox initramfs
# (build-nested-initramfs.sh, nested-init.sh), on kvm_intel
# first (the reference, in the same boot) and then on vmxlab, with the
# same command: `-accel kvm,kernel-irqchip=off` (QEMU's own PIC, PIT and
# local APIC in user space: vmxlab has no in-kernel irqchip).  The guest
# prints its kernel release, two reads of its timer interrupt counts
# (they must grow), a file written and read back, then powers off; its
# lines must be the expected ones on kvm_intel, and the same on vmxlab
# (the counts masked).
# If this fails, QEMU cannot use vmxlab as its accelerator: a user's
# `vmxlab exec -- qemu-system-x86_64 ...` stops with an error, hangs,
# or boots a guest that behaves differently from one on KVM.
# Times are emulated seconds; one run is about 35 of them on 6.1 (about
# 6 minutes of wall time in Bochs), about 21 on 6.12 (the whole 6.12
# boot with both runs: about 250 s of wall time).
. /lib/vmxlab-test.sh

QEMU_ARGS="-accel kvm,kernel-irqchip=off -m 256 -nodefaults -nographic
	-serial stdio -no-reboot -L /qemu/firmware -kernel /qemu/vmlinuz
	-initrd /qemu/initrd.gz -append console=ttyS0"
# QEMU pauses instead of exiting on some errors (an internal error, a
# failed VM entry): every run is bounded.  kvm_intel's run takes 37 s
# (one Bochs CPU); vmxlab gets twice that: a guest that spins on a lost
# interrupt costs about 6 minutes of wall time per 35 s in Bochs.
REF_TIMEOUT=120
VMXLAB_TIMEOUT=80
T=/sys/kernel/tracing

# What the guest must print (nested-init.sh), counts masked.
cat > /tmp/qemu-linux.expected <<OUT
GUEST: uname -r: $(uname -r)
GUEST: cpus online: 1
GUEST: timer interrupts, first read =N, second read =N
GUEST: timer interrupts arriving: yes
GUEST: file read back: written by the nested guest
GUEST: powering off
OUT

# The guest's lines from QEMU's output: serial line ends and the counts,
# which differ from run to run, removed.
guest_lines() {
	tr -d '\r' < "$1" | grep '^GUEST: ' | sed -E 's/=[0-9]+/=N/g'
}

# Why a run failed, in the serial log: QEMU's last words (its messages,
# then the guest console), the kernel's, and for vmxlab its last exits.
show_failure() {
	local name=$1 line
	{
		tail -n 8 "/tmp/$name.err" | sed 's/^/qemu stderr: /'
		tr -d '\r' < "/tmp/$name.out" | grep -v '^$' | tail -n 8 | sed 's/^/guest console: /'
		klog_new | tail -n 10 | sed 's/^/kernel: /'
		[ "$name" = kvm-reference ] || [ ! -r "$T/trace" ] ||
			grep 'vmxlab_' "$T/trace" | tail -n 6 | sed 's/^ *//; s/^/trace: /'
	} | while IFS= read -r line; do note "$name: $line"; done
}

# run NAME TIMEOUT LAUNCHER...: QEMU through LAUNCHER (nothing for
# /dev/kvm), bounded; one sub-result; returns 1 if it failed.
run() {
	local name=$1 limit=$2 rc start why=''
	shift 2
	klog_mark
	start=$(cut -d. -f1 /proc/uptime)
	# shellcheck disable=SC2086 # QEMU_ARGS: words on purpose
	timeout -s KILL "$limit" "$@" /usr/bin/qemu-system-x86_64 $QEMU_ARGS \
		< /dev/null > "/tmp/$name.out" 2> "/tmp/$name.err"
	rc=$?
	note "$name: QEMU exit status $rc after $(( $(cut -d. -f1 /proc/uptime) - start )) s"
	guest_lines "/tmp/$name.out" > "/tmp/$name.guest"
	echo "== $name: exit $rc; the guest said:"
	cat "/tmp/$name.guest"
	if [ "$rc" -eq 137 ]; then
		why="QEMU did not exit within ${limit}s (hung or paused on an error)"
	elif [ "$rc" -ne 0 ]; then
		why="QEMU exit status $rc: $(grep -v -e 'warning: ' "/tmp/$name.err" | head -n 1)"
	elif ! cmp -s /tmp/qemu-linux.expected "/tmp/$name.guest"; then
		why="the guest's lines are not the expected ones: $(diff /tmp/qemu-linux.expected "/tmp/$name.guest" | grep '^[-+][^-+]' | head -n 2 | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		show_failure "$name"
		echo "FAIL $name: $why" >> "$SUBRESULTS"
		return 1
	fi
	echo "PASS $name" >> "$SUBRESULTS"
}

# vmxlab's device at /dev/kvm for QEMU only: `vmxlab exec --` runs QEMU
# in a private mount namespace with /dev/vmxlab bound over /dev/kvm,
# because QEMU 7.2 opens /dev/kvm by path.  The system's /dev/kvm stays
# kvm's (checked below).

# The last exits before a failure; tracefs keeps the newest events.
trace_vmxlab_on() {
	mount -t tracefs tracefs "$T" 2>/dev/null
	[ -d "$T/events/vmxlab" ] || return 0
	echo > "$T/trace"
	echo 1 > "$T/events/vmxlab/enable"
}

trace_vmxlab_off() {
	[ -d "$T/events/vmxlab" ] || return 0
	echo 0 > "$T/events/vmxlab/enable"
}

failed=0
if [ ! -x /usr/bin/qemu-system-x86_64 ] || [ ! -f /qemu/vmlinuz ]; then
	fail "not run: QEMU or the guest is not in the initramfs (build-nested-initramfs.sh)"
fi
load_kvm
run kvm-reference "$REF_TIMEOUT" || failed=$((failed + 1))

# 6.1's kvm_intel holds VMX only while a VM exists: vmxlab loads beside
# it, and kvm's /dev/kvm stays for the namespace to cover.  6.12's holds
# it from its load on (kvm.enable_virt_at_load=Y, `vmxlab hold` exits 4):
# it goes, and /dev/kvm with it (vmxlab exec makes the mount point).
need_tool
load_vmxlab
if ! vmxlab hold -- true > /dev/null 2>&1; then
	out=$(rmmod kvm_intel 2>&1) || fail "kvm_intel holds VMX and rmmod kvm_intel failed: $out"
	note "kvm_intel held VMX (6.12): unloaded for the vmxlab run"
fi
kvm_dev=$(stat -c %t:%T /dev/kvm 2>/dev/null)
trace_vmxlab_on
run vmxlab "$VMXLAB_TIMEOUT" /bin/vmxlab exec -- || failed=$((failed + 1))
trace_vmxlab_off
if [ "$(stat -c %t:%T /dev/kvm 2>/dev/null)" != "$kvm_dev" ]; then
	echo "FAIL system-dev-kvm-untouched: /dev/kvm outside the namespace changed" >> "$SUBRESULTS"
	failed=$((failed + 1))
fi

# Two empty outputs are not a match.
if [ -s /tmp/kvm-reference.guest ] && cmp -s /tmp/kvm-reference.guest /tmp/vmxlab.guest; then
	echo "PASS same-output-as-kvm" >> "$SUBRESULTS"
else
	echo "FAIL same-output-as-kvm: the guest's lines on vmxlab differ from kvm_intel's" >> "$SUBRESULTS"
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] || fail "$failed check(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
