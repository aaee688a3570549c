# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --vmcs-write.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# --vmcs-write: parsed by name or encoding, handed to VMXLAB_SET_VMCS on
# vCPU 0 before it runs, refused on a device that is not vmxlab, and a
# refusal explained.
test_run_vmcs_write() {
	local f=$OUT/kvm-vw i many=()
	run run-vw-noeq run --vmcs-write GUEST_CR0 --device /nonexistent x.bin
	expect_exit run-vmcs-write/no-equals-usage 2 run-vw-noeq
	run run-vw-name run --vmcs-write GUEST_CRO=1 --device /nonexistent x.bin
	expect_exit run-vmcs-write/unknown-name-usage 2 run-vw-name
	expect_match run-vmcs-write/unknown-name-message "$OUT/run-vw-name.err" \
		'--vmcs-write GUEST_CRO=1: want FIELD=VALUE'
	run run-vw-val run --vmcs-write GUEST_RIP=12x --device /nonexistent x.bin
	expect_exit run-vmcs-write/bad-value-usage 2 run-vw-val
	run run-vw-neg run --vmcs-write GUEST_RIP=-1 --device /nonexistent x.bin
	expect_exit run-vmcs-write/negative-value-usage 2 run-vw-neg
	for i in $(seq 17); do many+=(--vmcs-write "GUEST_RIP=$i"); done
	run run-vw-many run "${many[@]}" --device /nonexistent x.bin
	expect_exit run-vmcs-write/seventeen-usage 2 run-vw-many
	echo hlt > "$OUT/hlt.script"
	run_kvm kvm-vw vmxlab "$OUT/hlt.script" --vmcs-write guest_cr0=0x80000011 \
		--vmcs-write 0x4826=4 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/written-then-runs 0 kvm-vw
	expect_line run-vmcs-write/by-name "$f.log" "vcpu0 set-vmcs 0x6800=0x80000011"
	expect_line run-vmcs-write/by-encoding "$f.log" "vcpu0 set-vmcs 0x4826=0x4"
	expect_line run-vmcs-write/said "$f.err" \
		"vmxlab: vCPU 0: wrote GUEST_CR0 = 0x80000011 into the VMCS (--vmcs-write)"
	expect_line run-vmcs-write/model-verdict "$f.err" \
		"vmxlab: the model of the VM-entry checks predicts: entry succeeds"
	run_kvm kvm-vw-kvm kvm "$OUT/hlt.script" --vmcs-write GUEST_RIP=0 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/kvm-usage 2 kvm-vw-kvm
	expect_match run-vmcs-write/kvm-message "$OUT/kvm-vw-kvm.err" 'is not vmxlab: no VMCS to write'
	FAKE_KVM_SET_VMCS_ERRNO=1 run_kvm kvm-vw-eperm vmxlab "$OUT/hlt.script" \
		--vmcs-write HOST_RIP=0 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/refused-exit-1 1 kvm-vw-eperm
	expect_match run-vmcs-write/refused-message "$OUT/kvm-vw-eperm.err" 'vmxlab refused: it writes guest segments'
}

run_cases() {
	test_run_vmcs_write
}
