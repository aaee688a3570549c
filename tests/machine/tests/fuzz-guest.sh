#!/bin/sh
# machines: bochs-6.12
# Three boots hung in kvm_intel's half when it ran first: a random guest
# that spins with IF = 0 never gives the emulated CPU back to kvm_intel in
# Bochs (progs/fuzz-guest.c, guest_byte()).  Now the guests keep IF = 1,
# vmxlab runs first, and kvm_intel runs only the guests vmxlab saw end
# without the alarm.  (Bochs' internal debugger also stops at INT3 and IRET
# in kvm_intel's guests: boot.sh answers every stop.)
# The guest-code fuzzer (progs/fuzz-guest.c): the same random guests (48
# random instruction bytes each, in real, 32-bit protected and long mode)
# run on /dev/vmxlab and then on /dev/kvm in this boot.  Every vmxlab run
# must end in an exit the KVM API defines (HLT, I/O, MMIO, shutdown,
# failed entry, internal error, or the 10 ms alarm), never in an ioctl
# error or an undefined exit reason, and the host must stay up (the
# runner's kernel-log guard).  Outcomes that differ from KVM's are listed
# as NOTE lines with the guest's bytes: they are leads, not failures (KVM
# emulates more instructions in the kernel than vmxlab does, and a guest
# cut by the alarm is compared only up to the cut).
# Each guest is announced on the serial console first (VMXLAB-PROGRESS
# fuzz-guest DEV I, after a line with the seed): a guest that hangs the
# machine is named, and `fuzz-guest --seed S --print I` shows its bytes.
# If this fails, a guest's instructions can make vmxlab return an error
# or an exit reason no client understands, or crash the host.
. /lib/vmxlab-test.sh

GUESTS=60
SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')

load_vmxlab
start=$(date +%s)
fuzz-guest --dev /dev/vmxlab --seed "$SEED" --guests "$GUESTS" > /tmp/fg-vmx.out
rc=$?
note "fuzz-guest: seed $SEED, $GUESTS guests on vmxlab in $(( $(date +%s) - start )) s"
grep -E '^(PASS|FAIL) ' /tmp/fg-vmx.out >> "$SUBRESULTS"
[ "$rc" -eq 0 ] || fail "fuzz-guest on vmxlab exited $rc: $(grep -m1 '^FAIL' /tmp/fg-vmx.out)"
n=$(grep -c '^guest ' /tmp/fg-vmx.out)
[ "$n" -eq "$GUESTS" ] || fail "fuzz-guest ran $n guests of $GUESTS on vmxlab"
rmmod vmxlab || fail "rmmod vmxlab after fuzz-guest: refused"

# kvm_intel runs the guests that vmxlab saw end without the alarm: one
# the alarm had to stop may spin with IF = 0 (a byte it wrote itself),
# and in Bochs kvm_intel's KVM_RUN never returns from that (fuzz-guest.c,
# guest_byte()); the emulated machine would hang.
only=$(awk '/^guest / && !/ intr/ { printf "%s%s", sep, $2; sep = "," }' /tmp/fg-vmx.out |
	tr -d ':')
note "fuzz-guest: $(echo "$only" | tr ',' '\n' | grep -c .) of $GUESTS guests also on kvm_intel"
load_kvm
fuzz-guest --dev /dev/kvm --seed "$SEED" --guests "$GUESTS" --only "${only:-none}" > /tmp/fg-kvm.out
grep '^FAIL' /tmp/fg-kvm.out | sed 's/^/NOTE: on kvm: /' | head -n 3

# Outcomes: equal, or equal up to the first "intr" (timing) on either side.
awk '
/^guest / {
	key = $2; bytes = $NF; $NF = ""; sub(/ rip=[^ ]*/, "")
	if (FILENAME ~ /kvm/) { kvm[key] = $0; next }
	v = $0; k = kvm[key]
	if (k == "" || k == v) next
	if (index(k, " intr") || index(v, " intr")) {
		kp = k; vp = v; sub(/ intr.*/, "", kp); sub(/ intr.*/, "", vp)
		if (index(k, kp) == 1 && index(v, kp) == 1) next
		if (index(k, vp) == 1 && index(v, vp) == 1) next
	}
	diffs++
	if (diffs <= 8) print "NOTE: differs: kvm {" k "} vmxlab {" v "} " bytes
}
END { print "NOTE: fuzz-guest: " diffs + 0 " outcome(s) differ from KVM" }
' /tmp/fg-kvm.out /tmp/fg-vmx.out
echo "PASS fuzz-guest-defined-exits" >> "$SUBRESULTS"
