#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# After `make install`, `modprobe vmxlab` loads the module and
# `modprobe -r vmxlab` removes it.  build-initramfs.sh stages the module
# with the same make target a user runs on a host (install-module, with
# INSTALL_MOD_PATH), so this checks where it lands and that depmod ran.
# If this fails, `make install` puts vmxlab.ko where the running kernel
# never looks (e.g. Debian's 6.1 headers name the release 6.1.x while its
# modules live under 6.1.0-N-amd64), and users must insmod by path.
. /lib/vmxlab-test.sh
kver=$(uname -r)
dep=/lib/modules/$kver/modules.dep
[ -f "$dep" ] || fail "no $dep: make install-module did not stage vmxlab for release $kver ($(ls /lib/modules 2>/dev/null))"
# 6.12's modules_install compresses (vmxlab.ko.xz); modprobe reads either.
grep -qE 'vmxlab\.ko(\.xz|\.zst|\.gz)?:' "$dep" || fail "$dep does not list vmxlab.ko: $(cat "$dep")"
# modinfo by name, as a user asks: what it is, whose, its licence, its
# version (git describe at build time), every parameter with its meaning.
for field in description author license version; do
	v=$(modinfo -F "$field" vmxlab 2>&1) || fail "modinfo -F $field vmxlab failed: $v"
	echo "modinfo $field: $v"
	{ [ -n "$v" ] && [ "$v" != unknown ]; } || fail "modinfo vmxlab shows no $field ('$v')"
done
out=$(modprobe vmxlab 2>&1) || fail "modprobe vmxlab failed: $out"
for p in /sys/module/vmxlab/parameters/*; do
	[ -e "$p" ] || continue
	p=${p##*/}
	modinfo -F parm vmxlab | grep -qE "^$p:.+" ||
		fail "modinfo vmxlab: parameter $p has no description (MODULE_PARM_DESC)"
done
grep -q '^vmxlab ' /proc/modules || fail "modprobe vmxlab returned 0 but vmxlab is not loaded"
[ -c /dev/vmxlab ] || fail "vmxlab was loaded by modprobe but /dev/vmxlab is missing"
out=$(modprobe -r vmxlab 2>&1) || fail "modprobe -r vmxlab failed: $out"
! grep -q '^vmxlab ' /proc/modules || fail "vmxlab is still loaded after modprobe -r"
