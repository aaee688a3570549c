#!/bin/sh
# machines: none (run it with boot.sh --tests guests-kvm): differential.sh
# runs every guest on /dev/kvm and compares it with /dev/vmxlab, whose runs
# guests-vmxlab.sh judges by the manifests.
# The test guests of tests/guests/, each run on /dev/kvm by `vmxlab run
# --device /dev/kvm --trace` and judged by its manifest (guests.sh): the
# exact stdout, how the run ended (HLT, a debug exit's status, a triple
# fault, a signal), the count of each exit kind, the final registers.
# One sub-result per guest.  KVM is the reference: vmxlab's own runs
# (guests-vmxlab.sh) are judged by the same manifests.
# If this fails, `vmxlab run` does not drive KVM's API as its help says
# (modes, ports, MMIO, vCPUs, exit handling, statuses), or a guest does
# not do what its source says.
. /lib/vmxlab-test.sh
. /lib/vmxlab-guests.sh

need_tool
load_kvm
run_all_guests kvm
