#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# A guest's SYSCALL MSRs and TSC_AUX never reach the host (issue 13,
# item 6).  progs/msr-host checks on every CPU that RDTSCP's TSC_AUX names
# the CPU that getcpu names and that the getcpu system call (SYSCALL,
# through the host's LSTAR) comes back: before any guest; after the
# syscall and tsc-aux guests set their own STAR/LSTAR/FMASK/TSC_AUX and
# ended; and while msr-spin (a guest with its own TSC_AUX, an LSTAR
# pointing at nothing and FMASK clearing every flag) keeps running, its
# thread pinned to CPU 0, going between the guest, user space (a port
# exit every 4096 rounds) and being scheduled out for msr-host.
# If this fails, or the host dies here, a guest's value stayed in a host
# MSR: RDTSCP/getcpu in user space give the guest's number, or a host
# system call jumps to the guest's LSTAR.
. /lib/vmxlab-test.sh
set -o pipefail	# busybox ash has it: msr-host's status, not sed's or tee's

need_tool
load_vmxlab
rc=0
grep -qw rdtscp /proc/cpuinfo || fail "not run: this CPU has no RDTSCP"
msr-host | sed -E 's/^(PASS|FAIL) /\1 before-guests\//' | tee -a "$SUBRESULTS" || rc=1
for g in syscall tsc-aux; do
	args=$(sed -n 's/^args //p' "/guests/$g.manifest")
	# shellcheck disable=SC2086 # args: several options
	out=$(vmxlab run $args "/guests/$g.bin" 2>&1)
	case $out in
	*"failed checks: 0"*) echo "PASS guest-$g" >> "$SUBRESULTS" ;;
	*) echo "FAIL guest-$g: $(echo "$out" | tail -n 2 | tr '\n' ' ')" >> "$SUBRESULTS"; rc=1 ;;
	esac
done
msr-host | sed -E 's/^(PASS|FAIL) /\1 after-guests\//' | tee -a "$SUBRESULTS" || rc=1

taskset 1 vmxlab run --mode long --timeout 12 /guests/msr-spin.bin > /tmp/spin.out 2>&1 &
spin=$!
sleep 1
msr-host 8 | sed -E 's/^(PASS|FAIL) /\1 guest-spinning\//' | tee -a "$SUBRESULTS" || rc=1
wait "$spin"
spin_rc=$?
# Status 6: the --timeout ended the endless guest, as it should.
if [ "$spin_rc" -eq 6 ]; then
	echo "PASS msr-spin-ran-until-timeout" >> "$SUBRESULTS"
else
	echo "FAIL msr-spin-ran-until-timeout: vmxlab run exited $spin_rc: $(tail -n 2 /tmp/spin.out | tr '\n' ' ')" >> "$SUBRESULTS"
	rc=1
fi
[ "$rc" -eq 0 ] ||
	fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
