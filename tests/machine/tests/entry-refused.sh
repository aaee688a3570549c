#!/bin/sh
# machines: bochs-6.12
# VM entry refused on purpose: for a list of VMCS fields, `vmxlab run
# --vmcs-write` (VMXLAB_SET_VMCS) puts one invalid value into a guest's
# otherwise good VMCS; the emulated CPU must refuse the entry the way the
# SDM says (a failed entry with exit reason 33 for guest state, VMfailValid
# with VM-instruction error 7 for a control), and vmxlab's model of the
# entry checks must name the rule (SDM Vol. 3C, "Checks on VMX Controls
# and Host-State Area", "Checks on the Guest State Area").  A field
# outside the list, or a value vmxlab cannot let the guest run with, is
# refused before any entry.
# If this fails, the CPU and vmxlab's model disagree on a rule (Bochs or the
# model is wrong: see the message), or VMXLAB_SET_VMCS writes what it
# must not.
. /lib/vmxlab-test.sh

GUEST_STATE_FAILURE=0x80000021	# bit 31 | basic exit reason 33
CONTROL_FAILURE=0x7		# VM-instruction error 7: invalid control field

# refused NAME REASON CHECK-ID [run options...]: the entry fails with
# hardware entry failure reason REASON and the model names CHECK-ID.
refused() {
	local name=$1 reason=$2 id=$3 out=/tmp/refused-$1.err
	shift 3
	vmxlab run "$@" > /dev/null 2> "$out"
	rc=$?
	[ "$rc" -eq 1 ] ||
		fail "$name: exit status $rc, want 1 (a refused entry): $(grep '^vmxlab: ' "$out" | tail -n 1)"
	grep -q "(KVM_EXIT_FAIL_ENTRY): hardware entry failure reason $reason " "$out" ||
		fail "$name: the CPU did not refuse with reason $reason: $(grep '^vmxlab: ' "$out" | tail -n 1)"
	grep -q "^  \[$id\] " "$out" ||
		fail "$name: vmxlab's model does not name $id: $(grep '^  \[' "$out" | tr '\n' '|')"
	note "$name: reason $reason, model: $(grep -o '^  \[[^]]*\]' "$out" | tr -d ' ' | tr '\n' ' ')"
}

# not_written NAME [run options...]: VMXLAB_SET_VMCS refuses, the guest never runs.
not_written() {
	local name=$1 out=/tmp/kept-$1.err
	shift
	vmxlab run "$@" > "/tmp/kept-$name.out" 2> "$out"
	rc=$?
	{ [ "$rc" -eq 1 ] && grep -q 'vmcs-write: vmxlab refused' "$out"; } ||
		fail "$name: status $rc, want 1 and the refusal: $(grep '^vmxlab: ' "$out" | tail -n 1)"
	[ ! -s "/tmp/kept-$name.out" ] || fail "$name: the guest ran: $(head -c 80 "/tmp/kept-$name.out")"
}

need_tool
load_vmxlab

# The guests run when nothing is written: the cases below differ from a
# good VMCS by their one field.
for g in hello hello-long; do
	mode=real
	[ "$g" = hello-long ] && mode=long
	vmxlab run --mode "$mode" --vmcs /guests/$g.bin > /tmp/$g.out 2> /tmp/$g.err ||
		fail "$g does not run without --vmcs-write: $(grep '^vmxlab: ' /tmp/$g.err | tail -n 1)"
done
pin=$(awk '$1 == "PIN_BASED_VM_EXEC_CONTROL" { print $3 }' /tmp/hello.err)
[ -n "$pin" ] || fail "no PIN_BASED_VM_EXEC_CONTROL in vmxlab run --vmcs"

# Guest state (SDM Vol. 3C, "Checks on the Guest State Area").
refused cr0-pg-without-pe $GUEST_STATE_FAILURE guest.cr0.pg_without_pe \
	--vmcs-write GUEST_CR0=0x80000030 /guests/hello.bin
refused cs-data-type $GUEST_STATE_FAILURE guest.cs.type \
	--vmcs-write GUEST_CS_AR_BYTES=0x91 /guests/hello.bin
# A non-canonical RIP in 64-bit mode ("Checks on Guest RIP, RFLAGS, and
# SSP": bits 63:N identical when "IA-32e mode guest" and CS.L are 1).
# Bochs 2.7 skips this check (it checks only bits 63:32 outside 64-bit
# mode): it enters, and the fetch at the non-canonical RIP raises #GP,
# which with no IDT is a triple fault.  The model must still predict the
# refusal the SDM requires; a CPU that refuses passes as well.
vmxlab run --mode long --vmcs-write GUEST_RIP=0x0000800000001000 /guests/hello-long.bin \
	> /dev/null 2> /tmp/rip.err
rc=$?
grep -q 'predicts: entry fails:.* \[guest.rip.canonical\]' /tmp/rip.err ||
	fail "rip-non-canonical: the model does not predict guest.rip.canonical: $(grep 'predicts' /tmp/rip.err)"
case $rc in
1)	grep -q "hardware entry failure reason $GUEST_STATE_FAILURE " /tmp/rip.err ||
		fail "rip-non-canonical: status 1 without the refused entry: $(grep '^vmxlab: ' /tmp/rip.err | tail -n 1)"
	note "rip-non-canonical: the CPU refused the entry, as the SDM says" ;;
5)	note "rip-non-canonical: Bochs entered with a non-canonical RIP (a deviation from the SDM) and the guest triple-faulted" ;;
*)	fail "rip-non-canonical: status $rc: $(grep '^vmxlab: ' /tmp/rip.err | tail -n 1)" ;;
esac
refused rflags-bit1-clear $GUEST_STATE_FAILURE guest.rflags.reserved \
	--vmcs-write GUEST_RFLAGS=0 /guests/hello.bin
refused activity-state-4 $GUEST_STATE_FAILURE guest.activity.value \
	--vmcs-write GUEST_ACTIVITY_STATE=4 /guests/hello.bin
refused tr-unusable $GUEST_STATE_FAILURE guest.tr.unusable \
	--vmcs-write GUEST_TR_AR_BYTES=0x10000 /guests/hello.bin
# VM-execution controls: pin-based bit 31 is reserved, allowed-1 says 0
# ("Checks on VM-Execution Control Fields").
refused pin-reserved-bit $CONTROL_FAILURE ctls.pin.allowed \
	--vmcs-write PIN_BASED_VM_EXEC_CONTROL=$((pin | 0x80000000)) /guests/hello.bin

# What VMXLAB_SET_VMCS does not write.
not_written host-rip --vmcs-write HOST_RIP=0 /guests/hello.bin
not_written link-pointer --vmcs-write VMCS_LINK_POINTER=0x1000 /guests/hello.bin
# A CR0 the guest could run with: vmxlab keeps its own copy of CR0.
not_written cr0-good --vmcs-write GUEST_CR0=0x30 /guests/hello.bin
# A control bit the CPU lets vmxlab choose (HLT exiting): not a fixed bit.
not_written proc-hlt-exiting --vmcs-write CPU_BASED_VM_EXEC_CONTROL=0 /guests/hello.bin

# Guest state written as given and kept: the guest runs with it.
vmxlab run --vmcs-write GUEST_DR7=0x400 --vmcs /guests/hello.bin > /tmp/dr7.out 2> /tmp/dr7.err ||
	fail "a good DR7 written: the guest did not run: $(grep '^vmxlab: ' /tmp/dr7.err | tail -n 1)"
cmp -s /tmp/dr7.out /tmp/hello.out || fail "a good DR7 written: the guest printed something else"
