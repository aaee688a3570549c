#!/bin/sh
# machines: bochs-6.1
# Existing KVM clients run against /dev/vmxlab unchanged: progs/kvm-client.c,
# a minimal client in the shape of the classic "Using the KVM API" example
# (real-mode guest, port 0x3f8 output, HLT), runs on /dev/kvm and on
# /dev/vmxlab with only the device path changed; both outputs must be the
# expected one, byte for byte.
# If this fails, a program written for KVM does not work on /dev/vmxlab, or
# works differently (other exits, other registers at the end).
. /lib/vmxlab-test.sh

cat > /tmp/kvm-client.expected <<'OUT'
api version 12
KVM_CAP_USER_MEMORY available
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x34 '4'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x20 ' '
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x66 'f'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x72 'r'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x6f 'o'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x6d 'm'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x20 ' '
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x61 'a'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x20 ' '
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x67 'g'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x75 'u'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x65 'e'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x73 's'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x74 't'
KVM_EXIT_IO out port 0x3f8 size 1 count 1: 0x0a '$'
KVM_EXIT_HLT after 16 exits
rip 0x1014 rax 0 rbx 0x2 rdx 0x3f8 rsi 0x1023 rflags 0x46
OUT

# run_client DEVICE NAME: one sub-result; returns 1 if it failed.
run_client() {
	local dev=$1 name=$2 rc why=''
	timeout 10 kvm-client "$dev" > "/tmp/$name.out" 2> "/tmp/$name.err"
	rc=$?
	echo "== kvm-client $dev: exit $rc"
	cat "/tmp/$name.out" "/tmp/$name.err"
	if [ "$rc" -ne 0 ]; then
		why="exit status $rc: $(head -n 1 "/tmp/$name.err")"
	elif ! cmp -s "/tmp/$name.out" /tmp/kvm-client.expected; then
		why="output differs from the expected one: $(diff /tmp/kvm-client.expected "/tmp/$name.out" | grep '^[-+][^-+]' | head -n 2 | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $name: $why" >> "$SUBRESULTS"
		return 1
	fi
	echo "PASS $name" >> "$SUBRESULTS"
}

failed=0
load_kvm
run_client /dev/kvm kvm-ref-output || failed=$((failed + 1))
# 6.1's kvm_intel holds VMX only while a VM exists: vmxlab can load now.
load_vmxlab
run_client /dev/vmxlab vmxlab-output || failed=$((failed + 1))
if cmp -s /tmp/kvm-ref-output.out /tmp/vmxlab-output.out; then
	echo "PASS same-output-as-kvm" >> "$SUBRESULTS"
else
	echo "FAIL same-output-as-kvm: kvm-client's output on /dev/vmxlab differs from /dev/kvm's" >> "$SUBRESULTS"
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] || fail "$failed check(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
