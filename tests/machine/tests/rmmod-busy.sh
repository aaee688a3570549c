#!/bin/sh
# machines: bochs-6.1
# rmmod is refused while /dev/vmxlab is open, and works once it is closed.
# If this fails, unloading vmxlab under a running client frees code and
# VMX state the client still uses: a host crash (use after free).
. /lib/vmxlab-test.sh
load_vmxlab
exec 3</dev/vmxlab || fail "cannot open /dev/vmxlab"
if out=$(rmmod vmxlab 2>&1); then
	fail "rmmod vmxlab succeeded while /dev/vmxlab was open"
fi
echo "rmmod while open (refused, as it should): $out"
grep -q '^vmxlab ' /proc/modules || fail "vmxlab vanished from /proc/modules although rmmod was refused"
exec 3<&-
out=$(rmmod vmxlab 2>&1) || fail "rmmod vmxlab failed after closing /dev/vmxlab: $out"
! grep -q '^vmxlab ' /proc/modules || fail "vmxlab still loaded after rmmod"
[ ! -e /dev/vmxlab ] || fail "/dev/vmxlab still exists after rmmod"
