# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --irq and --hlt-irq on the scripted device: the interrupt
# doorbell, KVM_INTERRUPT only when the device says ready, the interrupt
# window otherwise, KVM_NMI, and HLT that waits for a raised interrupt.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# A vector raised while the vCPU is ready goes in at the next KVM_RUN; one
# raised with IF = 0 waits for KVM_EXIT_IRQ_WINDOW_OPEN.  If these fail, a
# guest's interrupt is injected where the device refuses it, or never.
test_irq_doorbell() {
	local s=$OUT/irq.script f=$OUT/irq-bell
	printf '%s\n' 'out 0x511 1 0x20' 'cli' 'out 0x511 1 0x21' 'out 0xe9 1 0x41' \
		'sti' 'window' 'out 0x512 1 1' 'hlt' > "$s"
	run_kvm irq-bell vmxlab "$s" --irq --trace "$OUT/hlt.bin"
	expect_exit irq/doorbell-exit-0 0 irq-bell
	expect_line irq/ready-injects-at-once "$f.log" "vcpu0 interrupt 0x20"
	expect_line irq/window-then-inject "$f.log" "vcpu0 interrupt 0x21"
	expect_count irq/never-while-not-ready "$f.log" "while not ready" 0
	expect_count irq/window-requested-while-if-0 "$f.log" "vcpu0 request-interrupt-window" 2
	expect_line irq/nmi "$f.log" "vcpu0 nmi"
	expect_line irq/trace-inject "$f.err" "inject: vcpu 0 interrupt 0x21"
	expect_line irq/trace-nmi "$f.err" "inject: vcpu 0 NMI"
	expect_match irq/trace-window-exit "$f.err" '^exit: KVM_EXIT_IRQ_WINDOW_OPEN'
	expect_line irq/doorbell-not-ignored "$f.err" \
		"ports: 0 write(s) ignored, 0 read(s) of unanswered ports"
	# Without --irq the ports are nobody's: the writes are ignored.
	run_kvm irq-off kvm "$s" --trace "$OUT/hlt.bin"
	expect_exit irq/off-exit-0 0 irq-off
	expect_count irq/off-no-interrupt "$OUT/irq-off.log" "interrupt" 0
	expect_line irq/off-writes-ignored "$OUT/irq-off.err" \
		"ports: 3 write(s) ignored, 0 read(s) of unanswered ports"
}

# --hlt-irq: an HLT with IF = 1 raises the vector and waits for it; an HLT
# with IF = 0 ends the vCPU as without the option.
test_irq_hlt_timer() {
	local f=$OUT/irq-hlt
	printf '%s\n' 'hlt' 'hlt' 'cli' 'hlt' > "$OUT/irq-hlt.script"
	run_kvm irq-hlt kvm "$OUT/irq-hlt.script" --hlt-irq 48 "$OUT/hlt.bin"
	expect_exit irq/hlt-timer-exit-0 0 irq-hlt
	expect_count irq/hlt-timer-two-ticks "$f.log" "vcpu0 interrupt 0x30" 2
	run hlt-irq-bad run --hlt-irq 256 "$OUT/hlt.bin"
	expect_exit irq/hlt-irq-256-usage 2 hlt-irq-bad
	expect_line irq/hlt-irq-256-message "$OUT/hlt-irq-bad.err" \
		"vmxlab: run: --hlt-irq '256': give a number from 0 to 255"
}

run_cases() {
	test_irq_doorbell
	test_irq_hlt_timer
}
