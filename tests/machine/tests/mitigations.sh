#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# The speculation mitigations at the guest/host boundary (vmx/mitigations.c,
# vmx/entry.S): at load vmxlab names which ones are on, and they must be
# those the kernel itself applies for VMs on this CPU, as its
# /sys/devices/system/cpu/vulnerabilities files say:
#   CPU buffer clearing   on where a file says "Mitigation: Clear CPU
#                         buffers" (MDS, TAA, MMIO stale data, RFDS), off
#                         where none names it; "Vulnerable: Clear CPU
#                         buffers attempted, no microcode" leaves it to the
#                         kernel's flag for VMs, which sysfs does not show
#                         (6.12 in Bochs: off, as for kvm_intel);
#   branch history        spectre_v2 says "KVM: SW loop" (BHI);
#   RSB filling           spectre_v2 is mitigated by retpolines, IBRS or
#                         LFENCE, or eIBRS with "PBRSB-eIBRS: SW sequence";
#   L1D flush             l1tf is mitigated, not turned off on the command
#                         line, and the CPU has flush_l1d (without it
#                         vmxlab warns that it cannot flush).
# Then a long-mode guest runs through those paths and exits as usual.
# The suites boot with mitigations=off (all off); `boot.sh --mitigations
# auto` runs it with the kernel's own choice.
# If this fails, a guest can read host data through the CPU's buffers or
# caches, or steer host branches, where the kernel believes it cannot.
. /lib/vmxlab-test.sh

V=/sys/devices/system/cpu/vulnerabilities
BUFFER_FILES="$V/mds $V/tsx_async_abort $V/mmio_stale_data $V/reg_file_data_sampling"

# The kernel wants L1D flushed on VM entry: L1TF mitigated, and not
# turned off.  The file is no guide alone: PTE inversion, which it names,
# stays on even with mitigations=off, while the flush for VMs does not.
l1tf_flush_wanted() {
	grep -qs '^Mitigation' "$V/l1tf" &&
		! grep -qE '(^| )(mitigations|l1tf)=off( |$)' /proc/cmdline
}

# want NAME: on or off, what the kernel's files say for that mitigation;
# either, where they do not tell.
# shellcheck disable=SC2086 # BUFFER_FILES: a list of paths
want() {
	case $1 in
	buffers)
		if grep -qs '^Mitigation: Clear CPU buffers' $BUFFER_FILES; then
			true
		elif grep -qs 'Clear CPU buffers' $BUFFER_FILES; then
			echo either
			return
		else
			false
		fi ;;
	bhb) grep -qs 'KVM: SW loop' "$V/spectre_v2" ;;
	rsb) grep -qsE '^Mitigation: (Retpolines|IBRS|LFENCE)|PBRSB-eIBRS: SW sequence' \
		"$V/spectre_v2" ;;
	l1d) l1tf_flush_wanted && grep -qw flush_l1d /proc/cpuinfo ;;
	esac && echo on || echo off
}

need_tool
grep -q . "$V/spectre_v2" || fail "no $V/spectre_v2: cannot tell what the kernel mitigates"
for f in mds tsx_async_abort mmio_stale_data reg_file_data_sampling spectre_v2 l1tf; do
	[ ! -r "$V/$f" ] || echo "$f: $(cat "$V/$f")"
done
klog_mark
load_vmxlab
line=$(klog_new | grep 'guest/host mitigations:')
note "$(echo "$line" | sed 's/^.*vmxlab: //')"
[ -n "$line" ] || fail "vmxlab printed no 'guest/host mitigations:' line at load"
for m in "buffers:CPU buffer clearing" "bhb:branch history clearing" \
	"rsb:RSB filling" "l1d:L1D flush"; do
	key=${m%%:*} label=${m#*:}
	expected=$(want "$key")
	[ "$expected" != either ] || continue
	echo "$line" | grep -q "$label $expected" ||
		fail "vmxlab says '$(echo "$line" | grep -o "$label [a-z]*")', the kernel's files say $expected"
done
warned=no
dmesg | grep -q 'vmxlab: L1TF: this CPU has no L1D flush command' && warned=yes
if l1tf_flush_wanted && ! grep -qw flush_l1d /proc/cpuinfo; then
	[ "$warned" = yes ] ||
		fail "l1tf is mitigated, the CPU cannot flush L1D, and vmxlab did not warn"
elif [ "$warned" = yes ]; then
	fail "vmxlab warned that it cannot flush L1D where the kernel wants no flush"
fi

out=$(vmxlab run --mode long /guests/hello-long.bin 2>&1) ||
	fail "a long-mode guest failed with these mitigations: $out"
echo "$out" | grep -q 'Hello from long mode' ||
	fail "the guest did not print its line: $out"
