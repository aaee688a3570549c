#!/bin/sh
# machines: bochs-6.1
# The ioctl contract of /dev/vmxlab, one result per assertion (progs/api-test.c
# says what each protects).
. /lib/vmxlab-test.sh
load_vmxlab
set -o pipefail	# busybox ash has it: api-test's status, not tee's
api-test | tee "$SUBRESULTS" || fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
