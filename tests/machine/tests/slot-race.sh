#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# A memory slot deleted and added again by one thread, 2000 times, while
# a vCPU in another thread runs REP INSB and REP OUTSB on that slot
# (progs/slot-race.c): the string I/O copies go only to the slot's
# current memory, never through a slot half cleared by the deletion (a
# torn slot sends them to other memory of the VMM, watched by canary
# pages), and the host logs nothing (the runner's kernel-log guard).
# With two CPUs (bochs-6.1) the threads run on different CPUs.
# If this fails, a VMM that changes its memory map while a vCPU runs gets
# guest I/O data written over unrelated memory of its own.
. /lib/vmxlab-test.sh
set -o pipefail	# busybox ash has it: slot-race's status, not tee's

need_tool
load_vmxlab
slot-race 2000 /dev/vmxlab | tee -a "$SUBRESULTS"
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
fi
