#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# /dev/vmxlab's permissions as a user meets them, like /dev/kvm's.
#  - The module's own default, with no rule: root only (0600, root:root);
#    a user gets EACCES and the tool says so and how to give kvm access.
#  - The udev rule `make install` installs, staged here by build-initramfs
#    with the same target (make install-udev DESTDIR=...).  The initramfs
#    has no udevd: this test applies what the rule names for KERNEL
#    "vmxlab" (its GROUP and MODE) as udev would; the rule itself is checked
#    with udevadm on the host (tests/packaging.sh).  Then a user in the
#    group runs a guest, and a user outside it gets EACCES with the tool
#    naming the group to join.
. /lib/vmxlab-test.sh
need_tool
RULE=/etc/udev/rules.d/60-vmxlab.rules
[ -f "$RULE" ] || fail "no $RULE: make install-udev did not stage the rule"
[ -f /guests/hello-long.bin ] || fail "not run: /guests/hello-long.bin missing"

# What `make install` does for the group (groupadd -r kvm), and two users.
echo 'root:x:0:0:root:/:/bin/sh
member:x:1000:1000::/tmp:/bin/sh
outsider:x:1001:1001::/tmp:/bin/sh' > /etc/passwd
echo 'root:x:0:
kvm:x:108:member
member:x:1000:
outsider:x:1001:' > /etc/group

# as USER CMD: CMD's stdout and stderr in /tmp/as.out, its status in $?.
as() {
	su -s /bin/sh "$1" -c "$2" > /tmp/as.out 2>&1
}

GUEST='vmxlab run --mode long /guests/hello-long.bin'
load_vmxlab
[ -c /dev/vmxlab ] || fail "vmxlab loaded but /dev/vmxlab is missing"
perm=$(stat -c '%a %u %g' /dev/vmxlab)
echo "module default: /dev/vmxlab $perm"
[ "$perm" = "600 0 0" ] || fail "the module's default is '$perm' (mode uid gid), want '600 0 0': root only"
as member "$GUEST"
rc=$?
cat /tmp/as.out
[ "$rc" -eq 3 ] || fail "a user opened the root-only device: exit $rc, want 3 (EACCES)"
{ grep -q 'root-only (mode 0600)' /tmp/as.out && grep -q "make install.*group kvm" /tmp/as.out; } ||
	fail "no root-only message naming the kvm rule: $(cat /tmp/as.out)"

# The rule's effect, read from the rule.
group=$(sed -n 's/^KERNEL=="vmxlab".*GROUP="\([^"]*\)".*/\1/p' "$RULE")
mode=$(sed -n 's/^KERNEL=="vmxlab".*MODE="\([0-7]*\)".*/\1/p' "$RULE")
echo "rule: group '$group' mode '$mode'"
{ [ "$group" = kvm ] && [ "$mode" = 0660 ]; } ||
	fail "$RULE gives group '$group' mode '$mode', want kvm 0660 (as /dev/kvm)"
{ chgrp "$group" /dev/vmxlab && chmod "$mode" /dev/vmxlab; } || fail "cannot apply the rule"

as member "id; $GUEST"
rc=$?
cat /tmp/as.out
[ "$rc" -eq 0 ] || fail "a member of kvm could not run a guest: exit $rc: $(tail -n 2 /tmp/as.out)"
grep -q 'Hello from long mode' /tmp/as.out || fail "a member of kvm ran no guest: $(cat /tmp/as.out)"

as outsider "id; $GUEST"
rc=$?
cat /tmp/as.out
[ "$rc" -eq 3 ] || fail "a user outside kvm: exit $rc, want 3 (EACCES)"
grep -q "permission denied opening /dev/vmxlab (mode 0660, group kvm): join the group kvm" /tmp/as.out ||
	fail "the tool does not name the group to join: $(cat /tmp/as.out)"
