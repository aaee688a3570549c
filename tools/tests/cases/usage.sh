# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The command line every command shares: --help, --version, unknown
# commands and options.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

test_usage() {
	run help --help
	expect_exit usage/help-exit 0 help
	expect_match usage/help-text "$OUT/help.out" '^Usage: vmxlab COMMAND'
	run version --version
	expect_exit usage/version-exit 0 version
	expect_match usage/version-text "$OUT/version.out" '^vmxlab [0-9]'
	run noargs
	expect_exit usage/no-command-exit 2 noargs
	expect_match usage/no-command-usage-on-stderr "$OUT/noargs.err" '^Usage: vmxlab'
	if [ -s "$OUT/noargs.out" ]; then
		fail usage/no-command-stdout-empty "stdout not empty"
	else
		pass usage/no-command-stdout-empty
	fi
	run unknown frobnicate
	expect_exit usage/unknown-command-exit 2 unknown
	expect_line usage/unknown-command-message "$OUT/unknown.err" "vmxlab: unknown command 'frobnicate'"
	expect_match usage/unknown-command-usage "$OUT/unknown.err" '^Usage: vmxlab'
	for cmd in info cpus hold run stat ps top; do
		run "help-$cmd" "$cmd" --help
		expect_exit "usage/$cmd-help-exit" 0 "help-$cmd"
		expect_match "usage/$cmd-help-text" "$OUT/help-$cmd.out" "^Usage: vmxlab $cmd"
	done
	run help-cmd help cpus
	expect_match usage/help-command "$OUT/help-cmd.out" '^Usage: vmxlab cpus'
	run bad-option info --bogus
	expect_exit usage/bad-option-exit 2 bad-option
	run extra-arg cpus extra
	expect_exit usage/extra-argument-exit 2 extra-arg
	run both-files info --caps-file a --save-caps b
	expect_exit usage/caps-file-with-save-caps-exit 2 both-files
}

run_cases() {
	test_usage
}
