# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab cpus: each CPU's VMX state, from the stand-in device.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

test_fake_cpus() {
	local f=$OUT/fake-cpus.out
	run_fake fake-cpus cpus --device /fake/vmxlab
	expect_exit fake/cpus-exit 0 fake-cpus
	expect_line fake/cpus-root-no-vmcs "$f" "cpu0: online vmxon=yes cr4.vmxe=1 vmx-root=yes current-vmcs=none"
	expect_line fake/cpus-offline "$f" "cpu1: offline"
	expect_line fake/cpus-root-vmcs "$f" "cpu2: online vmxon=yes cr4.vmxe=1 vmx-root=yes current-vmcs=0x12345000"
	expect_count fake/cpus-stops-at-einval "$f" "cpu" 3
	run_fake fake-cpus-json cpus --json --device /fake/vmxlab
	expect_python fake/cpus-json "$OUT/fake-cpus-json.out" \
		'len(d["cpus"]) == 3' 'd["cpus"][0]["current_vmcs"] is None' \
		'd["cpus"][1]["online"] is False' \
		'd["cpus"][2]["current_vmcs"] == "0x0000000012345000"'
	# Without CAP_SYS_ADMIN the device hides the VMCS's physical address.
	FAKE_VMXLAB_HIDE=1 run_fake fake-cpus-hidden cpus --device /fake/vmxlab
	expect_line fake/cpus-vmcs-hidden "$OUT/fake-cpus-hidden.out" \
		"cpu2: online vmxon=yes cr4.vmxe=1 vmx-root=yes current-vmcs=hidden (needs CAP_SYS_ADMIN)"
	FAKE_VMXLAB_HIDE=1 run_fake fake-cpus-hidden-json cpus --json --device /fake/vmxlab
	expect_python fake/cpus-vmcs-hidden-json "$OUT/fake-cpus-hidden-json.out" \
		'd["cpus"][2]["current_vmcs"] == "hidden: needs CAP_SYS_ADMIN"'
}

run_cases() {
	test_fake_cpus
}
