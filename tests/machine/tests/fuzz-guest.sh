#!/bin/sh
# machines: bochs-6.12
# Bochs' internal debugger stops in kvm_intel's random guests, at INT3 and
# at IRET (bochs.term of a 6.12 boot, guest 40 of seed 3167038742); boot.sh
# feeds it 200,000 "c" lines, so it goes on (with 1,000 lines, three boots
# hung in the kvm_intel half).  The guests still leave INT3 out
# (guest_byte()).
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
