#!/bin/sh
# shellcheck shell=dash # busybox ash: ShellCheck 0.9.0 knows no busybox dialect
# /init of the emulated machine: run the in-machine tests, report over the
# kernel log, power off.  busybox ash, not bash.
#
# Results travel as kernel log lines on the serial console, because a
# program writing to the serial tty stalls for good after ~1 KiB in Bochs,
# while printk lines come through (one write() per line; printk.devkmsg=on
# lifts the rate limit).  The "<3>" prefix logs them at KERN_ERR so that
# loglevel=4 still prints them on the console.
#
# After every test the kernel-log guard judges the lines the test caused:
# BUG, WARNING, Oops, soft lockup, Call Trace, or a new taint bit other
# than O and E (out-of-tree, unsigned: our own module) fails the test.
# The state before the test is the reference, not zero: 6.12 logs one
# WARNING at boot under Bochs.

export PATH=/bin:/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin	# needs /proc/self/exe
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox mount -t debugfs debugfs /sys/kernel/debug
# shellcheck source=/dev/null # written by build-initramfs.sh
. /etc/vmxlab.conf	# SUITE, EXPECT_CPUS, TESTS, TEST_TIMEOUT

OUT=/tmp/out
SEQ=/tmp/kmsg.seq
# O (4096): out-of-tree module; E (8192): unsigned module.
TAINT_ALLOWED=12288
GUARD_PATTERN='(^|[^A-Za-z])BUG([^A-Za-z]|$)|WARNING|Oops|soft lockup|Call Trace'

# One kernel log line, cut to fit one printk record.
kmsg() {
	echo "<3>$(echo "$*" | tr -d '\r' | cut -c1-700)" > /dev/kmsg
}

result() { kmsg "VMXLAB-RESULT $*"; }

# The last lines of a failed test's output, for whoever reads the serial log.
show_log() {
	tail -n 25 "$2" | while IFS= read -r line; do
		kmsg "VMXLAB-LOG $1: $line"
	done
}

# Forget the kernel lines so far (the boot's, e.g. 6.12's WARNING).
kmsg_mark() { kmsg-tail "$SEQ" > /dev/null; }

# Prints the reason (and returns 1) if the kernel lines since the previous
# guard, or the taint, are bad.  Lines from the previous guard to the start
# of this test (a late WARNING of the previous one) count for this test
# rather than being lost; our own VMXLAB- lines (which may quote a
# WARNING) do not count.
guard() {
	local name="$1" taint_before="$2" line taint new
	kmsg-tail "$SEQ" | grep -v '^VMXLAB-' > "$OUT/$name.klog"
	line=$(grep -m 1 -E "$GUARD_PATTERN" "$OUT/$name.klog")
	if [ -n "$line" ]; then
		echo "kernel log: $line"
		return 1
	fi
	taint=$(cat /proc/sys/kernel/tainted)
	new=$(( taint & ~taint_before & ~TAINT_ALLOWED ))
	if [ "$new" -ne 0 ]; then
		echo "kernel taint gained bits $new (was $taint_before, now $taint)"
		return 1
	fi
	return 0
}

# Lines a test marks `NOTE: ...` (measurements) reach the serial log even
# when it passes.
show_notes() {
	sed -n 's/^NOTE: //p' "$2" | while IFS= read -r line; do
		kmsg "VMXLAB-NOTE $1: $line"
	done
}

# A test's own verdict: the last `FAIL-REASON: ...` line it printed.
reason_of() {
	local rc="$1" log="$2" limit="$3" reason
	reason=$(grep '^FAIL-REASON: ' "$log" | tail -n 1 | sed 's/^FAIL-REASON: //')
	[ -n "$reason" ] || reason="exit status $rc; last output: $(tail -n 1 "$log")"
	[ "$rc" -ne 137 ] || reason="timed out after ${limit}s (killed)"
	echo "$reason"
}

# Sub-results (`PASS x` / `FAIL x: why` lines in $SUBRESULTS) become NAME/x.
report_subresults() {
	local name="$1" file="$2"
	[ -s "$file" ] || return 0
	grep -E '^(PASS|FAIL) ' "$file" | while IFS= read -r line; do
		result "${line%% *} $SUITE/$name/${line#* }"
	done
}

# Leave the machine as the next test expects it: no vmxlab, no kvm.
cleanup_modules() {
	local m
	for m in vmxlab kvm_intel kvm irqbypass; do
		grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
	done
	return 0
}

# A test that needs longer than TEST_TIMEOUT says so: `# timeout: SECONDS`.
run_test() {
	local name="$1" log="$OUT/$1.log" sub="$OUT/$1.sub" taint_before rc why limit
	taint_before=$(cat /proc/sys/kernel/tainted)
	limit=$(sed -n 's/^# timeout: \([0-9][0-9]*\)$/\1/p' "/tests/$name.sh")
	kmsg "VMXLAB-START $SUITE/$name"
	SUBRESULTS=$sub timeout -s KILL "${limit:-$TEST_TIMEOUT}" sh "/tests/$name.sh" > "$log" 2>&1
	rc=$?
	cleanup_modules		# before the guard: unloading is part of the test
	# The guard's finding (if any) wins: it is the more serious failure.
	why=$(guard "$name" "$taint_before")
	[ -n "$why" ] || [ "$rc" -eq 0 ] || why=$(reason_of "$rc" "$log" "${limit:-$TEST_TIMEOUT}")
	show_notes "$name" "$log"
	report_subresults "$name" "$sub"
	if [ -n "$why" ]; then
		result "FAIL $SUITE/$name: $why"
		show_log "$name" "$log"
	else
		result "PASS $SUITE/$name"
	fi
}

# --shell-cmd of boot.sh: its output, line by line as it comes (a command
# that hangs still shows how far it got), then its exit status.
run_shell_cmd() {
	local rc
	[ -s /etc/shell-cmd ] || return 0
	{ sh /etc/shell-cmd 2>&1; echo $? > "$OUT/shell.rc"; } |
		while IFS= read -r line; do kmsg "VMXLAB-OUT $line"; done
	rc=$(cat "$OUT/shell.rc")
	if [ "$rc" -eq 0 ]; then
		result "PASS $SUITE/shell-cmd"
	else
		result "FAIL $SUITE/shell-cmd: exit status $rc"
	fi
}

# While the tests run, a kernel line every 20 emulated seconds: boot.sh
# tells a machine that is only slow (a busy host) from one that hangs (no
# line for many minutes).  Not during --shell-cmd: a benchmark must not
# pay for console output.  Through /dev/kmsg, like every VMXLAB- line, so
# that it never splits another line on the serial port.
start_heartbeat() {
	while sleep 20; do kmsg "VMXLAB-ALIVE $SUITE"; done &
	HEARTBEAT=$!
}

main() {
	mkdir -p "$OUT"
	kmsg "VMXLAB-BOOTED $SUITE cpus=$(grep -c '^processor' /proc/cpuinfo) taint=$(cat /proc/sys/kernel/tainted)"
	kmsg_mark
	start_heartbeat
	for t in $TESTS; do
		run_test "$t"
	done
	kill "$HEARTBEAT"
	kmsg "VMXLAB-TESTS-END $SUITE"
	run_shell_cmd
	kmsg "VMXLAB-DONE $SUITE"
	sleep 2	# let the UART drain, else the last lines are lost
	power_off
}

# Where vmxlab loads, power off with VMX held: the reboot notifier must
# then leave VMX operation on every CPU first.  boot.sh judges the log
# lines that follow (poweroff-with-vmx-held).
power_off() {
	# --shell-cmd may have left vmxlab loaded already.
	if [ -x /bin/vmxlab ] && { grep -q '^vmxlab ' /proc/modules ||
		insmod /vmxlab.ko 2>/dev/null; }; then
		kmsg "VMXLAB-POWEROFF $SUITE with VMX held"
		dmesg -n 7	# the console must show vmxlab's KERN_INFO reboot line
		exec vmxlab hold -- poweroff -f
	fi
	poweroff -f
}

main
