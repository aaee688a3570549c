#!/usr/bin/env bash
# tests/shellcheck.sh: every shell script of the project through shellcheck.
#
# A shell script: a *.sh file, or any file whose first line is a #! for
# sh, bash, dash or ash; the ones git knows (tracked or new, not ignored),
# or every file outside build/ when this is no git checkout.  Prints one
# `PASS shellcheck/PATH` or `FAIL shellcheck/PATH: N findings` line per
# script, each failure's findings under it (one per line, gcc format).
# Exits 1 if any script has findings or none was found.  The in-machine
# tests' dialect is set in tests/machine/tests/.shellcheckrc.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

command -v shellcheck > /dev/null || {
	echo "FAIL shellcheck: shellcheck is not installed: run 'sudo make deps' (Debian package shellcheck)"
	exit 1
}

candidates() {
	if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -path ./build -prune -o -type f -print | sed 's|^\./||'
	fi
}

is_shell_script() {
	case $1 in *.sh) return 0 ;; esac
	head -n 1 "$1" 2>/dev/null | grep -qE '^#!.*([/ ](ba|da|a)?sh)([[:space:]]|$)'
}

main() {
	local f out n scripts=0 failed=0
	while IFS= read -r f; do
		{ [ -f "$f" ] && is_shell_script "$f"; } || continue
		scripts=$((scripts + 1))
		if out=$(shellcheck -f gcc "$f" 2>&1); then
			echo "PASS shellcheck/$f"
		else
			n=$(printf '%s\n' "$out" | grep -c .)
			echo "FAIL shellcheck/$f: $n findings (shellcheck $f)"
			printf '%s\n' "$out" | sed 's/^/    /'
			failed=$((failed + 1))
		fi
	done < <(candidates | sort -u)
	if [ "$scripts" -eq 0 ]; then
		echo "FAIL shellcheck: found no shell scripts to check"
		return 1
	fi
	[ "$failed" -eq 0 ]
}

main "$@"
