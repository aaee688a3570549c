#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmxlab tool tests, on this host: no module and no VT-x needed.
#
#   ./run.sh              every file in cases/
#   ./run.sh hold info    cases/hold.sh and cases/info.sh only
#
# Each file in cases/ tests one command (or one part of `vmxlab run`) and
# defines run_cases, which calls its test_* functions; lib.sh has the
# helpers and the shared fixtures.  Device paths run against fakedev.so,
# an LD_PRELOAD stand-in for /dev/vmxlab and /dev/kvm (fakedev.c).  One
# line per check: "PASS name" or "FAIL name: reason".  The exit status is
# 0 only when every check passed.
set -u

cd "$(dirname "$0")" || exit 1
# shellcheck source=lib.sh disable=SC1091 # followed with shellcheck -x
. ./lib.sh
failures=0

main() {
	local name file
	if [ $# -eq 0 ]; then
		for file in cases/*.sh; do
			name=${file#cases/}
			set -- "$@" "${name%.sh}"
		done
	fi
	setup
	for name in "$@"; do
		file=cases/$name.sh
		if [ ! -f "$file" ]; then
			fail "$name" "no $file"
			continue
		fi
		# shellcheck source=/dev/null
		. "$file"
		run_cases
		unset -f run_cases
	done
	[ "$failures" -eq 0 ]
}

main "$@"
