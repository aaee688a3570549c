#!/bin/sh
# machines: qemu-novmx
# On a CPU without VMX, insmod fails, says why ("no VMX"), and leaves no
# /dev/vmxlab behind.
# If this fails, vmxlab loads on a CPU that cannot run it (and its first
# VMX instruction faults), or the user is left guessing why it would not load.
. /lib/vmxlab-test.sh
! grep -qw vmx /proc/cpuinfo || fail "this CPU has the vmx flag: the test needs a CPU without VMX"
klog_mark
if out=$(insmod /vmxlab.ko 2>&1); then
	fail "insmod vmxlab.ko succeeded on a CPU without VMX"
fi
log=$(klog_new)
echo "insmod: $out"
echo "kernel log: $log"
echo "$log" | grep -q 'no VMX' || fail "kernel log lacks 'no VMX': $(echo "$log" | head -n 1)"
[ ! -e /dev/vmxlab ] || fail "/dev/vmxlab exists after a failed insmod"
# What the tool tells a user who tries anyway: exit 3 (no device), and
# that this CPU has no usable VT-x rather than "load the module".
need_tool
out=$(vmxlab info 2>&1)
rc=$?
echo "vmxlab info: exit $rc: $out"
[ "$rc" -eq 3 ] || fail "vmxlab info exited $rc, want 3 (device missing): $out"
echo "$out" | grep -q 'no usable VT-x' || fail "vmxlab info does not say this CPU has no usable VT-x: $out"
