#!/bin/sh
# machines: bochs-6.1
# `vmxlab exec -- COMMAND`: COMMAND finds vmxlab's device at /dev/kvm (how
# QEMU 7.2, which opens /dev/kvm by name, is pointed at vmxlab), while the
# system's /dev/kvm stays kvm's, for every other program, during and after.
# If this fails, QEMU cannot run on vmxlab, or pointing it there breaks
# kvm for the rest of the system.
. /lib/vmxlab-test.sh

# check NAME OK WHY: one sub-result.
failed=0
check() {
	if [ "$2" = 1 ]; then
		echo "PASS $1" >> "$SUBRESULTS"
	else
		echo "FAIL $1: $3" >> "$SUBRESULTS"
		failed=$((failed + 1))
	fi
}
is() { [ "$1" = "$2" ] && echo 1 || echo 0; }

load_kvm
load_vmxlab
vmxlab_nums=$(stat -c '%t:%T' /dev/vmxlab)
kvm_nums=$(stat -c '%t:%T' /dev/kvm)
check system-dev-kvm-is-kvm "$(is "$kvm_nums" a:e8)" "/dev/kvm is $kvm_nums before, want a:e8 (10, 232)"

inside=$(vmxlab exec -- sh -c 'ls -l /dev/kvm; stat -c %t:%T /dev/kvm; sleep 2' 2>&1 &
	sleep 1
	stat -c '%t:%T' /dev/kvm > /tmp/exec-during
	wait)
echo "inside vmxlab exec: $inside"
echo "outside meanwhile: $(cat /tmp/exec-during)"
check exec-dev-kvm-is-vmxlab "$(is "$(echo "$inside" | tail -n 1)" "$vmxlab_nums")" \
	"stat /dev/kvm inside gave '$(echo "$inside" | tail -n 1)', want vmxlab's $vmxlab_nums"
check system-dev-kvm-kept-during "$(is "$(cat /tmp/exec-during)" "$kvm_nums")" \
	"/dev/kvm outside was $(cat /tmp/exec-during) while exec ran, want $kvm_nums"
check system-dev-kvm-kept-after "$(is "$(stat -c '%t:%T' /dev/kvm)" "$kvm_nums")" \
	"/dev/kvm is $(stat -c '%t:%T' /dev/kvm) afterwards, want $kvm_nums"

# vmxlab's own ioctl answers through /dev/kvm only inside.
vmxlab exec -- vmxlab info --device /dev/kvm > /tmp/exec-info.out 2>&1
rc=$?
check exec-info-via-dev-kvm "$(is $rc 0)" "vmxlab info --device /dev/kvm inside: exit $rc: $(head -n 1 /tmp/exec-info.out)"
vmxlab info --device /dev/kvm > /tmp/exec-info-out.out 2>&1
rc=$?
# kvm answers vmxlab's VMXLAB_GET_CAPS with EINVAL: info fails (exit 1).
check outside-dev-kvm-not-vmxlab "$(is $rc 1)" "vmxlab info --device /dev/kvm outside: exit $rc, want 1 (kvm, not vmxlab): $(head -n 1 /tmp/exec-info-out.out)"

# A KVM client that opens /dev/kvm by name runs there (on vmxlab, shown above).
vmxlab exec -- kvm-client /dev/kvm > /tmp/exec-client.out 2>&1
rc=$?
check exec-kvm-client-runs "$(is $rc 0)" "kvm-client /dev/kvm inside: exit $rc: $(tail -n 2 /tmp/exec-client.out | tr '\n' ' ')"
check exec-kvm-client-hlt "$(grep -c '^KVM_EXIT_HLT after 16 exits$' /tmp/exec-client.out)" \
	"kvm-client output lacks 'KVM_EXIT_HLT after 16 exits'"

[ "$failed" -eq 0 ] || fail "$failed check(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
