#!/bin/sh
# machines: bochs-6.1
# 50 cycles of insmod / hold / rmmod leave free memory and slab flat.
# If this fails, vmxlab leaks memory on every load or every hold (e.g. a
# VMXON region per CPU): a long-running host slowly loses memory.
#
# Free memory is MemFree plus the per-CPU page lists, after drop_caches
# (lib.sh: mem_settle, mem_free_kb).
# Tolerance: a leak of one 4 KiB page per CPU per cycle is 50 x 2 x 4 =
# 400 KiB; free memory may drop by at most 256 KiB, below that and above
# the noise.  Slab grows in whole pages; 50 leaked small objects (a struct
# per hold) are out of reach of this test, 128 KiB of slab is not (slab
# moved by 16 KiB here).  Five warm-up cycles first fill caches that are
# kept on purpose.
. /lib/vmxlab-test.sh
need_tool

FREE_TOLERANCE_KB=256
SLAB_TOLERANCE_KB=128

cycle() {
	local out
	out=$(insmod /vmxlab.ko 2>&1) || fail "cycle $1: insmod failed: $out"
	out=$(vmxlab hold -- true 2>&1) || fail "cycle $1: 'vmxlab hold -- true' failed: $out"
	out=$(rmmod vmxlab 2>&1) || fail "cycle $1: rmmod failed: $out"
}

i=1
while [ $i -le 5 ]; do cycle "warm-up $i"; i=$((i + 1)); done
mem_settle
free0=$(mem_free_kb)
slab0=$(meminfo_kb Slab)
i=1
while [ $i -le 50 ]; do cycle $i; i=$((i + 1)); done
mem_settle
free1=$(mem_free_kb)
slab1=$(meminfo_kb Slab)
note "free (MemFree + per-CPU lists) ${free0} -> ${free1} kB, Slab ${slab0} -> ${slab1} kB"
[ $((free0 - free1)) -le $FREE_TOLERANCE_KB ] ||
	fail "free memory (MemFree + per-CPU lists) dropped by $((free0 - free1)) kB over 50 cycles (${free0} -> ${free1} kB; tolerance $FREE_TOLERANCE_KB)"
[ $((slab1 - slab0)) -le $SLAB_TOLERANCE_KB ] ||
	fail "Slab grew by $((slab1 - slab0)) kB over 50 cycles (${slab0} -> ${slab1} kB; tolerance $SLAB_TOLERANCE_KB)"
