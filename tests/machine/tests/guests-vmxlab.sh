#!/bin/sh
# machines: bochs-6.1
# The test guests of tests/guests/, each run on vmxlab's own device by
# `vmxlab run --device /dev/vmxlab --trace` and judged by the manifests
# KVM passes (guests-kvm.sh): output, end, exit counts, final registers
# of guests in real, protected, paged and long mode, port and string I/O,
# MMIO, all of memory, a triple fault, a signal ending an endless loop,
# SSE state, VMX instructions in the guest, two vCPUs, a migrating vCPU.
# One sub-result per guest.  Bochs 6.1 has the two CPUs that smp and
# migrate need.
# If this fails, vmxlab runs some guest differently from KVM: a VM exit
# handled wrongly (or not at all), guest state lost across exits or CPU
# moves, or a run that cannot be stopped.
. /lib/vmxlab-test.sh
. /lib/vmxlab-guests.sh

need_tool
load_vmxlab
run_all_guests vmxlab
