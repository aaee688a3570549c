#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# insmod vmxlab.ko creates /dev/vmxlab (root only) and `vmxlab info` sees
# EPT, VPID and unrestricted guest on an emulated Haswell.
# If this fails, a user on a VT-x machine cannot load vmxlab at all, the
# device is open to every user, or vmxlab misreads the CPU's capabilities
# (and would refuse to run guests the CPU can run).
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
[ -c /dev/vmxlab ] || fail "/dev/vmxlab missing or not a character device after insmod"
mode=$(stat -c %a /dev/vmxlab)
[ "$mode" = 600 ] || fail "/dev/vmxlab has mode $mode, want 600"
out=$(vmxlab info 2>&1) || fail "'vmxlab info' failed: $out"
echo "$out"
for want in 'EPT: yes' 'VPID: yes' 'unrestricted guest: yes'; do
	echo "$out" | grep -q "$want" || fail "'vmxlab info' lacks '$want'"
done
echo "$out" | grep -q '\[ok\]' || fail "'vmxlab info' lists no '[ok]' requirement"
if echo "$out" | grep -q '\[missing\]'; then
	fail "'vmxlab info' reports a missing requirement: $(echo "$out" | grep '\[missing\]' | head -n 1)"
fi
json=$(vmxlab info --json 2>&1) || fail "'vmxlab info --json' failed: $json"
for key in ept vpid unrestricted_guest; do
	echo "$json" | grep -qE "\"$key\": *true" || fail "'vmxlab info --json' lacks \"$key\": true"
done
