#!/usr/bin/env bash
# check.sh OUTDIR: the emulated-machine stage of `make check`.
#
# Three boots, the first two in parallel (Bochs is single-threaded; this
# machine has two cores):
#   bochs-6.1   Bochs, Debian 12's 6.1 kernel, 2 CPUs: the full suite
#   bochs-6.12  Bochs, the 6.12 LTS kernel, 1 CPU, mitigations=auto:
#               kvm_intel on at load, QEMU booting Linux (qemu-linux)
#   qemu-6.1    QEMU TCG, a CPU without VMX: vmxlab must refuse to load
# Writes OUTDIR/machine.results (`PASS name` / `FAIL name: reason`, one per
# test), keeps each boot's serial log in OUTDIR/<boot>/serial.out, prints
# the results, exits 1 if any failed.  Expects build/<abi>/vmxlab.ko and
# tools/vmxlab-static to be built already (boot.sh rebuilds the module if
# its sources changed).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)

# Start boot.sh for one boot in the background; its output goes to
# OUTDIR/<boot>.log.  BOOT_PID: its pid.
start_boot() {
	local name=$1
	shift
	"$HERE/boot.sh" --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1 &
	BOOT_PID=$!
}

# Interrupted: stop the boots (boot.sh then kills its emulator), do not
# leave them running to their timeout.
stop_boots() {
	[ $# -eq 0 ] || kill -TERM "$@" 2>/dev/null || true
	exit 130
}

# A boot that left no results (boot.sh itself failed) is a loud FAIL.
collect() {
	local name=$1 res="$OUT/$1/results"
	if [ -s "$res" ]; then
		cat "$res"
	else
		echo "FAIL $name/boot: boot.sh produced no results: $(tail -n 1 "$OUT/$name.log")"
	fi
}

timing() {
	local name=$1
	echo "$name: $(cat "$OUT/$name/seconds" 2>/dev/null || echo '?') s wall, serial log $OUT/$name/serial.out" >&2
}

main() {
	[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
	OUT=$1
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	local start=$SECONDS pids
	# The guest corpus runs three times here (vmxlab, the differential
	# pair) and 55 module loads (load-cycles): the longest boot (about
	# 2,500 s on an idle host), hence its own cap; a hang ends it sooner
	# (boot.sh's heartbeat).
	start_boot bochs-6.1 --kernel 6.1 --cpus 2 --timeout 4000
	pids=$BOOT_PID
	# The kernel's own speculation mitigations, as on a Debian install:
	# vmxlab's barriers run on every exit here (test mitigations).  QEMU
	# boots Linux twice here (qemu-linux): a cap like bochs-6.1's.
	start_boot bochs-6.12 --kernel 6.12 --cpus 1 --mitigations auto --timeout 3000
	pids="$pids $BOOT_PID"
	# shellcheck disable=SC2064,SC2086 # the pids are known now
	trap "stop_boots $pids" INT TERM
	# shellcheck disable=SC2086
	wait $pids || true	# boot.sh fails when a test fails: results say which
	start_boot qemu-6.1 --kernel 6.1 --cpus 1 --emulator qemu
	# shellcheck disable=SC2064
	trap "stop_boots $BOOT_PID" INT TERM
	wait "$BOOT_PID" || true
	trap - INT TERM
	{
		collect bochs-6.1
		collect bochs-6.12
		collect qemu-6.1
	} > "$OUT/machine.results"
	cat "$OUT/machine.results"
	timing bochs-6.1
	timing bochs-6.12
	timing qemu-6.1
	echo "machine tests: $((SECONDS - start)) s wall in all" >&2
	! grep -q '^FAIL ' "$OUT/machine.results"
}

main "$@"
