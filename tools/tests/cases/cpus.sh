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
}

run_cases() {
	test_fake_cpus
}
