#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# Host safety (issue 13), what a device user or a guest must not be able
# to do to the host, each case a sub-result:
#  - fpu: KVM_SET_FPU with reserved MXCSR bits on a fresh vCPU is EINVAL
#    and the vCPU then runs (before: accepted, and KVM_RUN's XRSTOR
#    faulted: "Bad FPU state detected", a host WARNING).
#  - huge-slot: a slot of more than 2^31 - 1 pages is EINVAL, as on KVM.
#  - sregs: a refused KVM_SET_SREGS changes nothing.
#  - exit-info: struct vmxlab_exit_info lies past struct kvm_run.
#  - run-ioctls: KVM_RUN waits for another thread's vCPU ioctl (no EBUSY).
#  - hypercall-cpl3: a hypercall from guest CPL 3 answers -KVM_EPERM.
#  - file-slot: a slot over a writable shared file mapping is refused.
#  - cr0-reserved: a guest's reserved CR0 bit (31:0) reads back 0.
#  - fsbase: KVM_RUN keeps the calling thread's FS selector and base and
#    its GS base, with a busy thread on the same CPU forcing reschedules
#    inside KVM_RUN (preempt=full when the kernel can switch to it).
#  - vmcs-hidden: for a user without CAP_SYS_ADMIN (a member of kvm),
#    VMXLAB_GET_VMCS hides the host-state fields and the physical
#    pointers and VMXLAB_GET_CPU_STATE the current VMCS's address; the
#    tool says "hidden: needs CAP_SYS_ADMIN"; root still sees them.
#  - memlock: pinned guest pages are charged to the user's RLIMIT_MEMLOCK.
#  - vm-cap, vcpu-cap: max_vms_per_user, max_vcpus_per_user (module
#    parameters, described by modinfo).
# If this fails, a device user can print a host WARNING (a panic with
# panic_on_warn), read host kernel addresses, pin memory past its limits,
# or a VMM thread loses its TLS or gets a guest-chosen GS base.
. /lib/vmxlab-test.sh
need_tool
failed=0

sub() {
	echo "$1 $2${3:+: $3}" >> "$SUBRESULTS"
	[ "$1" = PASS ] || failed=1
}

# prog_subs PREFIX CMD...: CMD's PASS/FAIL lines as sub-results PREFIX/...
prog_subs() {
	local prefix="$1" out
	shift
	out=$("$@" 2>&1)
	echo "$out"
	echo "$out" | grep -E '^(PASS|FAIL) ' | while IFS= read -r line; do
		echo "${line%% *} $prefix/${line#* }" >> "$SUBRESULTS"
	done
	if ! echo "$out" | grep -q '^PASS ' || echo "$out" | grep -q '^FAIL '; then
		failed=1
		echo "$prefix: no PASS, or a FAIL"
	fi
}

# Users as device-perms.sh makes them: member is in kvm, no capabilities.
echo 'root:x:0:0:root:/:/bin/sh
member:x:1000:1000::/tmp:/bin/sh' > /etc/passwd
echo 'root:x:0:
kvm:x:108:member
member:x:1000:' > /etc/group
as_member() {
	su -s /bin/sh member -c "$1" > /tmp/as.out 2>&1
}

load_vmxlab
{ chgrp kvm /dev/vmxlab && chmod 0660 /dev/vmxlab; } || fail "cannot give /dev/vmxlab to kvm"

prog_subs fpu api-bad --only=fpu
prog_subs huge-slot api-bad --only=huge-slot
prog_subs sregs api-bad --only=sregs
prog_subs exit-info api-bad --only=exit-info
prog_subs run-ioctls api-bad --only=run-ioctls
# file-slot: ramfs tracks dirty pages (page_mkwrite), as disk file systems do.
{ mkdir -p /mnt/ramfs && mount -t ramfs ramfs /mnt/ramfs; } || fail "cannot mount ramfs"
prog_subs file-slot api-bad --only=file-slot:/mnt/ramfs/guest-memory
umount /mnt/ramfs

# hypercall-cpl3: the guest puts the answer to function 0 (the version) in EBX.
timeout 30 vmxlab run --trace --mode protected /guests/hypercall-user.bin > /tmp/hc.out 2> /tmp/hc.err
rc=$?
grep '^regs:' /tmp/hc.err
# (EBX written in 32-bit mode: RBX's upper half may hold the rest of RAX.)
if [ "$rc" -eq 0 ] && grep -qE '^regs: .* rbx=0x(ffffffff)?ffffffff[ ,]' /tmp/hc.err; then
	sub PASS hypercall-cpl3-eperm
else
	sub FAIL hypercall-cpl3-eperm "status $rc, want 0 and EBX -1 (-KVM_EPERM): $(grep -E '^(regs|vmxlab):' /tmp/hc.err | tr '\n' '|')"
fi

# cr0-reserved: a reserved CR0 bit written by the guest reads back 0.
timeout 30 vmxlab run --trace /guests/cr0-reserved.bin > /tmp/cr0.out 2> /tmp/cr0.err
rc=$?
grep '^regs:' /tmp/cr0.err
if [ "$rc" -eq 0 ] && grep -q '^regs: .* rbx=0x0[ ,]' /tmp/cr0.err &&
		grep -q '^regs: .* rcx=0x0[ ,]' /tmp/cr0.err; then
	sub PASS cr0-reserved-reads-0
else
	sub FAIL cr0-reserved-reads-0 "status $rc, want 0, EBX 0 (bit 6 reads 0), ECX 0: $(grep -E '^(regs|vmxlab):' /tmp/cr0.err | tr '\n' '|')"
fi

# fsbase: full preemption makes a reschedule inside KVM_RUN likelier.
if [ -w /sys/kernel/debug/sched/preempt ]; then
	echo full > /sys/kernel/debug/sched/preempt
	note "preempt: $(cat /sys/kernel/debug/sched/preempt)"
fi
prog_subs fsbase timeout 60 fsbase-preempt 8

# vmcs-hidden: the tool's --vmcs as a member and as root.
GUEST='vmxlab run --vmcs --mode long /guests/hello-long.bin'
as_member "$GUEST"
rc=$?
grep -E '^ *(HOST_RIP|HOST_CR3|EPT_POINTER|MSR_BITMAP|GUEST_RIP) ' /tmp/as.out
if [ "$rc" -ne 0 ]; then
	sub FAIL vmcs-hidden-member-runs "status $rc: $(tail -n 2 /tmp/as.out)"
else
	bad=''
	for f in HOST_RIP HOST_RSP HOST_CR3 HOST_GS_BASE HOST_IA32_SYSENTER_EIP HOST_GDTR_BASE \
			HOST_IDTR_BASE HOST_TR_BASE EPT_POINTER MSR_BITMAP IO_BITMAP_A; do
		grep -qE "^ *$f .*hidden: needs CAP_SYS_ADMIN" /tmp/as.out || bad="$bad $f"
	done
	if [ -z "$bad" ]; then sub PASS vmcs-hidden-member; else
		sub FAIL vmcs-hidden-member "shown to a member of kvm:$bad"; fi
	if grep -qE '^ *GUEST_RIP +0x[0-9a-f]+ +0x[0-9a-f]+$' /tmp/as.out; then
		sub PASS vmcs-guest-fields-shown-to-member
	else
		sub FAIL vmcs-guest-fields-shown-to-member "$(grep GUEST_RIP /tmp/as.out)"
	fi
fi
$GUEST > /tmp/root.out 2>&1
if grep -qE '^ *HOST_RIP +0x[0-9a-f]+ +0xffff[0-9a-f]+$' /tmp/root.out &&
		grep -qE '^ *EPT_POINTER +0x[0-9a-f]+ +0x[0-9a-f]+$' /tmp/root.out; then
	sub PASS vmcs-shown-to-root
else
	sub FAIL vmcs-shown-to-root "$(grep -E '^ *(HOST_RIP|EPT_POINTER) ' /tmp/root.out)"
fi
# The current VMCS's address while a guest runs: hidden from a member.
vmxlab run --timeout 20 /guests/loop.bin > /dev/null 2>&1 &
loop_pid=$!
sleep 3
as_member "vmxlab cpus"
cat /tmp/as.out
root_cpus=$(vmxlab cpus 2>&1)
echo "root: $root_cpus"
kill "$loop_pid" 2> /dev/null
wait "$loop_pid"
if grep -q 'current-vmcs=0x' /tmp/as.out || ! grep -q 'current-vmcs=hidden' /tmp/as.out; then
	sub FAIL cpus-vmcs-hidden-member "$(tr '\n' '|' < /tmp/as.out)"
else
	sub PASS cpus-vmcs-hidden-member
fi
if echo "$root_cpus" | grep -q 'current-vmcs=0x'; then
	sub PASS cpus-vmcs-shown-to-root
else
	sub FAIL cpus-vmcs-shown-to-root "$root_cpus"
fi

# memlock: as the member (no CAP_IPC_LOCK), a small and a larger limit.
as_member "ulimit -l 32 && api-bad --only=memlock:32"
cat /tmp/as.out
grep -E '^(PASS|FAIL) ' /tmp/as.out | sed -E 's/^(PASS|FAIL) /\1 memlock-32k\//' >> "$SUBRESULTS"
grep -q '^FAIL' /tmp/as.out && failed=1
as_member "ulimit -l 1024 && api-bad --only=memlock:1024"
cat /tmp/as.out
grep -E '^(PASS|FAIL) ' /tmp/as.out | sed -E 's/^(PASS|FAIL) /\1 memlock-1m\//' >> "$SUBRESULTS"
grep -q '^FAIL' /tmp/as.out && failed=1

# vm-cap: the module's limit, documented in modinfo.
for p in max_vms_per_user max_vcpus_per_user; do
	if modinfo -F parm /vmxlab.ko | grep -qE "^$p:.+"; then sub PASS "modinfo-$p"
	else sub FAIL "modinfo-$p" "modinfo shows no description of $p: $(modinfo -F parm /vmxlab.ko)"; fi
done
rmmod vmxlab
out=$(insmod /vmxlab.ko max_vms_per_user=3 max_vcpus_per_user=3 2>&1) ||
	fail "insmod max_vms_per_user=3 max_vcpus_per_user=3: $out"
prog_subs vm-cap api-bad --only=vm-cap:3
prog_subs vcpu-cap api-bad --only=vcpu-cap:3

[ "$failed" -eq 0 ] || fail "see the sub-results"
