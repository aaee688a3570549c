#!/usr/bin/env bash
# boot.sh: boot the emulated machine once, run in-machine tests, print the
# results and where the serial log is.
#
#   boot.sh --kernel 6.1|6.12 --cpus N [--emulator bochs|qemu]
#           [--tests GLOB] [--shell-cmd 'CMD'] [--with-qemu] [--out DIR]
#           [--timeout SECONDS] [--mitigations off|auto]
#
# --tests GLOB   run the tests (tests/*.sh) whose name matches GLOB (or one
#                of several space-separated GLOBs), 'none'
#                for none; default: the tests whose `# machines:` line
#                names this machine (bochs-6.1, bochs-6.12, qemu-novmx).
# --shell-cmd    a shell command run in the machine after the tests; its
#                output comes back as VMXLAB-OUT lines. /vmxlab.ko and
#                /bin/vmxlab are there, nothing is loaded.  A kernel-log
#                line 'VMXLAB-FILE NAME TEXT' ([a-z0-9][a-z0-9.-]*) adds a
#                line TEXT to DIR/files/NAME, never read as the machine's
#                own (a nested guest's power-off or panic).
# --with-qemu    Debian's QEMU and a Linux guest for it in the initramfs,
#                as for a test that says `# needs: qemu` (for --shell-cmd:
#                /usr/bin/qemu-system-x86_64, /qemu/{firmware,vmlinuz,initrd.gz}).
# --mitigations  the kernel's speculation mitigations: off (the default:
#                faster, and the suites' figures assume it) or auto (the
#                kernel's own choice, as on a Debian install).
# Bochs (emulated Haswell, VT-x with EPT) boots in ~90 s; QEMU (TCG, a CPU
# without VMX) in ~15 s.  Writes DIR/results (PASS/FAIL lines) and
# DIR/serial.out (DIR: build/machine/boot-<emulator>-<kernel> by default);
# exits 1 if any test failed or the machine did not finish.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CMDLINE='console=ttyS0,115200 panic=-1 rdinit=/init loglevel=4 nokaslr printk.devkmsg=on'

die() { echo "boot.sh: $*" >&2; exit 2; }
say() { echo "boot.sh[$SUITE]: $*" >&2; }

parse_args() {
	KERNEL='' CPUS=1 EMULATOR=bochs GLOB='' SHELL_CMD='' OUT='' TIMEOUT='' MITIGATIONS=off
	WITH_QEMU=
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) KERNEL=$2 ;;
		--cpus) CPUS=$2 ;;
		--emulator) EMULATOR=$2 ;;
		--tests) GLOB=$2 ;;
		--shell-cmd) SHELL_CMD=$2 ;;
		--out) OUT=$2 ;;
		--timeout) TIMEOUT=$2 ;;
		--mitigations) MITIGATIONS=$2 ;;
		--with-qemu) WITH_QEMU=--with-qemu; shift; continue ;;
		-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
		*) die "unknown argument $1 (see --help)" ;;
		esac
		shift 2
	done
	case $KERNEL in 6.1|6.12) ;; *) die "--kernel 6.1 or 6.12" ;; esac
	case $EMULATOR in bochs|qemu) ;; *) die "--emulator bochs or qemu" ;; esac
	case $MITIGATIONS in off|auto) ;; *) die "--mitigations off or auto" ;; esac
	CMDLINE="$CMDLINE mitigations=$MITIGATIONS"
	if [ "$EMULATOR" = bochs ]; then MACHINE=bochs-$KERNEL; else MACHINE=qemu-novmx; fi
	SUITE=$EMULATOR-$KERNEL
	OUT=${OUT:-$TOP/build/machine/boot-$SUITE}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)	# Bochs runs in $OUT: paths must be absolute
	# Bochs: ~90 s to boot, then the tests (slower with 2 CPUs, and up to
	# a fifth slower again on a busy host: CI once timed out a 527 s boot
	# at 540 s).  A hung machine is caught sooner by its silence
	# (STALL_SECONDS, see run_bochs); this cap bounds the rest.
	if [ "$EMULATOR" = bochs ]; then TIMEOUT=${TIMEOUT:-1500}; else TIMEOUT=${TIMEOUT:-90}; fi
}

# Newest Debian headers of that series (not -cloud/-rt): the ABI to boot.
find_abi() {
	local d
	# shellcheck disable=SC2010 # Debian's names have no odd characters
	d=$(ls -d /usr/src/linux-headers-"$1".*-amd64 2>/dev/null |
		grep -v -e cloud -e -rt | sort -V | tail -n 1)
	[ -n "$d" ] || die "no /usr/src/linux-headers-$1.*-amd64 (run tests/install-deps.sh)"
	echo "${d#/usr/src/linux-headers-}"
}

# The tests for this machine: by globs (several, space-separated), or by
# their `# machines:` line.
select_tests() {
	local f name g
	for f in "$HERE"/tests/*.sh; do
		name=$(basename "$f" .sh)
		if [ -n "$GLOB" ]; then
			for g in $GLOB; do
				# shellcheck disable=SC2254
				case $name in $g) echo "$name"; break ;; esac
			done
		elif grep -qE "^# machines:.*\<$MACHINE\>" "$f"; then
			echo "$name"
		fi
	done
}

# isolinux boots vmlinuz + initrd from a CD: Bochs has no -kernel option.
make_iso() {
	local iso=$1 vmlinuz=$2 initrd=$3 dir="$OUT/iso"
	rm -rf "$dir"
	mkdir -p "$dir/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$dir/isolinux/"
	cp "$vmlinuz" "$dir/vmlinuz"
	cp "$initrd" "$dir/initrd.gz"
	cat > "$dir/isolinux/isolinux.cfg" <<CFG
DEFAULT vmxlab
PROMPT 0
TIMEOUT 0
LABEL vmxlab
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz $CMDLINE
CFG
	genisoimage -quiet -o "$iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$dir"
	rm -rf "$dir"
}

# Settings from the notes on the emulated machine: Haswell (EPT, VPID,
# unrestricted guest), deterministic clock, errors ignored (kvm_intel reads
# MSRs Bochs lacks; reporting them floods the log by hundreds of MB).
write_bochsrc() {
	cat > "$OUT/bochsrc" <<RC
megs: 512
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_haswell_4770, count=$CPUS, ips=200000000, reset_on_triple_fault=0
clock: sync=none
ata0-master: type=cdrom, path=$OUT/machine.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$OUT/serial.out
display_library: term
log: $OUT/bochs.log
error: action=ignore
info: action=ignore
debug: action=ignore
panic: action=fatal
RC
	# Continue at the internal debugger's prompt: at start, and each time
	# it stops again.  It also stops when a guest of kvm_intel executes
	# INT3 or IRET (seen with tests/guests/triple-fault.S on /dev/kvm, and
	# many times in the random guests of fuzz-guest); once the file's
	# lines run out it waits for a terminal forever.  200,000 lines:
	# 400 KB, far more stops than a boot has made.
	awk 'BEGIN { for (i = 0; i < 200000; i++) print "c" }' > "$OUT/bochs.rc"
}

# While the tests run, init.sh prints VMXLAB-ALIVE every 20 emulated
# seconds (about 2 minutes of wall time in the slowest machine): a serial
# log silent for this long in that span means the machine hangs.
STALL_SECONDS=${STALL_SECONDS:-600}

# The tests are running: booted, not yet at their end.
tests_running() {
	grep -q 'VMXLAB-BOOTED' "$OUT/serial.out" 2>/dev/null &&
		! grep -q 'VMXLAB-TESTS-END' "$OUT/serial.out" 2>/dev/null
}

# The machine's own lines: not those of a file sent out (VMXLAB-FILE),
# which may be a nested guest's console with its own power-off or panic.
own_lines() {
	grep -v 'VMXLAB-FILE ' "$OUT/serial.out" 2>/dev/null || true
}

# One of the machine's own lines matches the extended regex $1.
own_line_matches() {
	awk -v re="$1" '!/VMXLAB-FILE / && $0 ~ re { found = 1; exit }
		END { exit !found }' "$OUT/serial.out" 2>/dev/null
}

# The machine has finished (or is lost) when it printed DONE or panicked.
machine_finished() {
	own_line_matches 'VMXLAB-DONE|Kernel panic|Rebooting in'
}

machine_powered_off() {
	own_line_matches 'reboot: Power down'
}

# Bochs ignores SIGTERM and outlives a killed `script` wrapper: end
# bochs-bin itself, by the pid it wrote before exec, with SIGKILL; only if
# that pid is still our bochs-bin (running in $OUT), never a reused pid.
kill_bochs() {
	local pid
	pid=$(cat "$OUT/bochs.pid" 2>/dev/null) || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = bochs-bin ] || return 0
	[ "$(readlink "/proc/$pid/cwd")" = "$OUT" ] || return 0
	kill -KILL "$pid" 2>/dev/null || true
}

# Bochs' term display needs a terminal: `script` gives it a pty.  After
# DONE (or a panic) allow 60 s for the power-off (it runs with VMX held,
# see init.sh) and 2 s more for its last lines, then kill: panic=-1
# reboots, and a rebooted Bochs would boot the CD again.
# Bochs' term display writes the screen to a pty of its own ("Bochs
# connected to screen /dev/pts/N") that nobody reads: once its buffer is
# full, Bochs blocks in write() for good (seen after ~6 minutes of a long
# suite).  Read that pty and throw the screen away.  SCREEN_READER: pid.
drain_screen() {
	local pts
	[ -z "$SCREEN_READER" ] || return 0
	pts=$(sed -n 's/^.*Bochs connected to screen "\(\/dev\/pts\/[0-9]*\)".*$/\1/p' \
		"$OUT/bochs.term" 2>/dev/null || true)
	pts=${pts%%$'\n'*}
	[ -n "$pts" ] || return 0
	cat "$pts" > /dev/null 2>&1 &
	SCREEN_READER=$!
}

run_bochs() {
	local start=$SECONDS wrapper finished_at='' size last_size=-1 grew_at=$SECONDS
	SCREEN_READER=''
	rm -f "$OUT/bochs.pid"
	trap kill_bochs EXIT	# boot.sh interrupted: do not leave Bochs behind
	trap "exit 130" INT TERM
	(cd "$OUT" && exec script -qfec \
		"sh -c 'echo \$\$ > bochs.pid; exec bochs-bin -q -f bochsrc -rc bochs.rc'" \
		/dev/null < /dev/null > "$OUT/bochs.term" 2>&1) &
	wrapper=$!
	while kill -0 "$wrapper" 2>/dev/null; do
		drain_screen
		if [ -z "$finished_at" ] && machine_finished; then finished_at=$SECONDS; fi
		if [ -n "$finished_at" ] && machine_powered_off; then sleep 2; break; fi
		if [ -n "$finished_at" ] && [ $((SECONDS - finished_at)) -gt 60 ]; then break; fi
		if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
			echo "wall-clock timeout after ${TIMEOUT}s" > "$OUT/timeout"
			break
		fi
		size=$(stat -c %s "$OUT/serial.out" 2>/dev/null || echo 0)
		[ "$size" = "$last_size" ] || { last_size=$size; grew_at=$SECONDS; }
		if [ $((SECONDS - grew_at)) -ge "$STALL_SECONDS" ] && tests_running; then
			echo "hung: no serial output for ${STALL_SECONDS}s of wall time while tests ran (no heartbeat)" > "$OUT/timeout"
			break
		fi
		sleep 2
	done
	kill_bochs
	[ -z "$SCREEN_READER" ] || kill "$SCREEN_READER" 2>/dev/null || true
	wait "$wrapper" 2>/dev/null || true
}

run_qemu() {
	local rc=0
	timeout -s KILL "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp "$CPUS" \
		-nographic -no-reboot -monitor none -serial "file:$OUT/serial.out" \
		-kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" -append "$CMDLINE" \
		> "$OUT/qemu.term" 2>&1 || rc=$?
	[ "$rc" -ne 137 ] || echo "wall-clock timeout after ${TIMEOUT}s" > "$OUT/timeout"
}

# Result lines from the serial log; every expected test must have one and
# the machine must have said DONE, else loud FAILs.
collect_results() {
	local results="$OUT/results" t why
	tr -d '\r' < "$OUT/serial.out" | sed -n 's/.*VMXLAB-RESULT //p' > "$results"
	for t in $TESTS; do
		grep -qE "^(PASS|FAIL) $SUITE/$t(:|$)" "$results" && continue
		if grep -q "VMXLAB-START $SUITE/$t\$" <(tr -d '\r' < "$OUT/serial.out"); then
			why="started but never finished: it hung or brought the machine down"
		else
			why="not run: the machine stopped before it"
		fi
		echo "FAIL $SUITE/$t: $why" >> "$results"
	done
	[ "$EMULATOR" != bochs ] || check_poweroff >> "$results"
	if ! grep -q "VMXLAB-DONE $SUITE" "$OUT/serial.out"; then
		why=$(cat "$OUT/timeout" 2>/dev/null || echo "emulator exited")
		why="$why; last serial line: $(tr -cd '[:print:]\n' < "$OUT/serial.out" | grep -v '^$' | tail -n 1 || true)"
		echo "FAIL $SUITE/boot: the machine did not finish (no VMXLAB-DONE): $why" >> "$results"
	fi
}

# After the tests, /init powers off with VMX held (init.sh power_off):
# vmxlab's reboot notifier must say it left VMX operation, the machine
# must power down, and nothing in between may WARN, BUG or Oops.  If this
# fails, a host rebooting while a VM runs could hang with CPUs stuck in
# VMX operation (INIT is blocked there).
check_poweroff() {
	local name="$SUITE/poweroff-with-vmx-held" tail_log bad
	tail_log=$(own_lines | tr -d '\r' | sed -n '/VMXLAB-POWEROFF /,$p')
	if [ -z "$tail_log" ]; then
		echo "FAIL $name: /init did not power off with VMX held (vmxlab did not load then, or the machine stopped earlier)"
	elif ! grep -q 'vmxlab: reboot: leaving VMX operation on every CPU' <<< "$tail_log"; then
		echo "FAIL $name: the kernel log does not show vmxlab leaving VMX operation before power-off"
	elif ! grep -q 'reboot: Power down' <<< "$tail_log"; then
		echo "FAIL $name: the machine did not power down after vmxlab left VMX operation"
	elif bad=$(grep -m 1 -E '(^|[^A-Za-z])BUG([^A-Za-z]|$)|WARNING|Oops|soft lockup|Call Trace' <<< "$tail_log"); then
		echo "FAIL $name: kernel log during power-off: $bad"
	else
		echo "PASS $name"
	fi
}

# Files a --shell-cmd sent out, line by line: DIR/files/NAME.
collect_files() {
	local name
	for name in $(tr -d '\r' < "$OUT/serial.out" |
		sed -n 's/.*VMXLAB-FILE \([a-z0-9][a-z0-9.-]*\) .*/\1/p' | sort -u); do
		mkdir -p "$OUT/files"
		tr -d '\r' < "$OUT/serial.out" |
			sed -n "s/.*VMXLAB-FILE ${name//./\\.} //p" > "$OUT/files/$name"
	done
}

main() {
	parse_args "$@"
	local abi start=$SECONDS
	abi=$(find_abi "$KERNEL")
	TESTS=$(select_tests | tr '\n' ' ')
	# Only our own files: --out may name a directory that holds others.
	(cd "$OUT" && rm -rf results seconds timeout serial.out bochs.* bochsrc \
		qemu.term machine.iso initramfs.cpio.gz initramfs.cpio.gz.d iso files)
	say "kernel $abi, $CPUS CPU(s), tests: ${TESTS:-none}"
	"$HERE/fetch-kernel.sh" "$abi" "$TOP/build/machine/kernel-$abi"
	VMLINUZ=$TOP/build/machine/kernel-$abi/boot/vmlinuz-$abi
	make -s -C "$TOP" "build/$abi/vmxlab.ko" >&2
	"$HERE/build-initramfs.sh" --abi "$abi" --kernel-tree "$TOP/build/machine/kernel-$abi" \
		--suite "$SUITE" --cpus "$CPUS" --tests "$TESTS" --shell-cmd "$SHELL_CMD" \
		$WITH_QEMU --out "$OUT/initramfs.cpio.gz"
	: > "$OUT/serial.out"
	if [ "$EMULATOR" = bochs ]; then
		make_iso "$OUT/machine.iso" "$VMLINUZ" "$OUT/initramfs.cpio.gz"
		write_bochsrc
		run_bochs
	else
		run_qemu
	fi
	collect_results
	collect_files
	echo "$((SECONDS - start))" > "$OUT/seconds"
	tr -d '\r' < "$OUT/serial.out" | sed -n 's/.*VMXLAB-OUT //p'
	cat "$OUT/results"
	say "$((SECONDS - start)) s; serial log: $OUT/serial.out"
	! grep -q '^FAIL ' "$OUT/results"
}

main "$@"
