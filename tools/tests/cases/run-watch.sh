# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --watch: EPT watches.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# --watch on the scripted device: the watches set, one line per hit, each
# resumed as its watch says, --watch-max, and the refusals.  If these
# fail, a user watching guest memory is shown the wrong access, or the
# tool lets through an access it was told to block (or the reverse).
test_run_watch() {
	local f=$OUT/kvm-w
	printf '%s
' 'watch 0x3000 2 0x1010' 'watch 0x5008 4 0x5008' 'watch 0x3002 3 0x1020' \
		'out 0xf4 1 0x21' > "$OUT/w.script"
	run_kvm kvm-w vmxlab "$OUT/w.script" --trace --watch 0x3000:w:once \
		--watch 0x5000+8K:rwx:block "$OUT/hlt.bin"
	expect_exit run-watch/guest-goes-on 33 kvm-w
	expect_line run-watch/set-first "$f.log" "watch gpa=0x3000 size=0x1000 deny=2"
	expect_line run-watch/set-second "$f.log" "watch gpa=0x5000 size=0x2000 deny=7"
	expect_line run-watch/hit-write "$f.err" \
		"watch: vcpu 0 write gpa 0x3000 rip 0x1010 gla 0x13000 -> allowed once"
	expect_line run-watch/hit-exec-blocked "$f.err" \
		"watch: vcpu 0 exec gpa 0x5008 rip 0x5008 gla 0x15008 -> blocked"
	expect_line run-watch/hit-read-write "$f.err" \
		"watch: vcpu 0 read+write gpa 0x3002 rip 0x1020 gla 0x13002 -> allowed once"
	if [ "$(grep watch-resume "$f.log" | tr '\n' '|')" = \
	     "vcpu0 watch-resume allow-once|vcpu0 watch-resume block|vcpu0 watch-resume allow-once|" ]; then
		pass run-watch/resumed-as-asked
	else
		fail run-watch/resumed-as-asked "log: $(grep watch-resume "$f.log" | tr '\n' '|')"
	fi
	expect_match run-watch/trace-names-exit "$f.err" "^exit: VMXLAB_EXIT_EPT_WATCH rip 0x[0-9a-f]+$"
	expect_tail run-watch/summary "$f.err" "exits: io 1, ept_watch 3"
	run_kvm kvm-wmax vmxlab "$OUT/w.script" --watch 0x3000:w --watch 0x5000:x:block \
		--watch-max 2 "$OUT/hlt.bin"
	expect_exit run-watch/max-status-7 7 kvm-wmax
	expect_line run-watch/max-message "$OUT/kvm-wmax.err" \
		"vmxlab: watch: 2 hits, giving up (--watch-max 2)"
	run_kvm kvm-wkvm kvm "$OUT/w.script" --watch 0x3000:w "$OUT/hlt.bin"
	expect_exit run-watch/kvm-refused 1 kvm-wkvm
	expect_line run-watch/kvm-refused-message "$OUT/kvm-wkvm.err" \
		"vmxlab: --watch: /fake/kvm has no EPT watches (vmxlab only)"
	run_kvm kvm-wbad vmxlab "$OUT/w.script" --watch 0x3004:w "$OUT/hlt.bin"
	expect_exit run-watch/einval 1 kvm-wbad
	expect_match run-watch/einval-message "$OUT/kvm-wbad.err" \
		'VMXLAB_SET_EPT_WATCH failed: Invalid argument \(GPA and LEN must be multiples of 4K\)'
	for bad in 0x3000 0x3000:q 0x3000:ww x3000:w 0x3000:w:maybe 0x3000+:w; do
		run watch-usage run --watch "$bad" "$OUT/hlt.bin"
		expect_exit "run-watch/usage-$bad" 2 watch-usage
	done
	expect_match run-watch/usage-message "$OUT/watch-usage.err" \
		"^vmxlab: run: --watch '0x3000\+:w': give GPA\[\+LEN\]:DENY"
}

run_cases() {
	test_run_watch
}
