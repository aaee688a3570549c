#!/bin/sh
# shellcheck shell=dash # also busybox ash: ShellCheck 0.9.0 knows no busybox dialect
# run-show.sh: what `make run` shows, as shell functions that tests/run.sh
# uses on a host with VT-x (sourced) and in the emulated machine (this
# text at the start of boot.sh's --shell-cmd, busybox sh).  Each prints a
# screenful at most and leaves the rest in a file of $DETAILS, which the
# user finds under $WHERE (the same directory on a host; in the emulated
# machine run.sh sends the files out, to build/run/files/).
#   VMXLAB    the vmxlab tool
#   DETAILS   a directory for the whole outputs
#   WHERE     where the user finds them, for the messages
# Each function returns non-zero, after saying why, if its step failed.

# vmxlab's verdict on this CPU in two lines: its requirements and summary;
# every capability decoded in $DETAILS/vmxlab-info.txt.
show_info() {
	local f="$DETAILS/vmxlab-info.txt" rc=0
	"$VMXLAB" info > "$f" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$f"
		return "$rc"
	fi
	echo "== vmxlab info: $(grep -E 'requirements (met|missing)' "$f" | sed 's/^ *//')"
	grep '^  \[missing\]' "$f" || true
	echo "   $(sed '1,/^Summary:/d' "$f" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
	echo "   (every VMX capability decoded: $WHERE/vmxlab-info.txt)"
}

# A guest run with --trace: the guest's output, its first two exits (a
# line each, and one for the VM exit behind it), then from the last exit
# to the end (the counts); the whole trace in $DETAILS/NAME.trace.
show_trace() {
	local guest=$1 name rc=0 f last
	name=$(basename "$guest" .bin)
	f="$DETAILS/$name.trace"
	"$VMXLAB" run --trace "$guest" > "$DETAILS/$name.out" 2> "$f" || rc=$?
	echo "the guest wrote: $(cat "$DETAILS/$name.out")"
	last=$(grep -n '^exit: ' "$f" | tail -n 1 | cut -d: -f1)
	if [ "$rc" -ne 0 ] || [ "${last:-0}" -le 8 ]; then
		cat "$f"
	else
		head -n 4 "$f"
		echo "... ($((last - 5)) lines more: $WHERE/$name.trace)"
		tail -n +"$last" "$f"
	fi
	return "$rc"
}

# QEMU's output without serial line ends and terminal controls (by
# octal ranges: busybox tr knows no [:print:]).
qemu_output() { tr -d '\000-\010\013-\037\177' < "$DETAILS/qemu-linux.log"; }

# Why the QEMU run failed, or nothing: QEMU exited by itself, and the
# guest said each line that shows a working machine.
qemu_failure() {
	local rc=$1 timeout=$2 clock=$3 want
	if [ "$rc" -eq 137 ]; then
		echo "QEMU did not exit within $timeout $clock (hung, or paused on an error)"
		return
	fi
	if [ "$rc" -ne 0 ]; then
		echo "QEMU exit status $rc"
		return
	fi
	for want in "timer interrupts arriving: yes" \
		"file read back: written by the nested guest" "powering off"; do
		# grep -c reads to the end: no broken pipe under pipefail.
		[ "$(qemu_output | grep -cxF "GUEST: $want")" -eq 0 ] || continue
		echo "the guest never said \"$want\""
		return
	done
}

# show_qemu_linux KERNEL INITRD TIMEOUT CLOCK [FIRMWARE]: Debian's QEMU
# 7.2 boots Linux on vmxlab with the README's command ("Boot Linux under
# QEMU on vmxlab"; -L FIRMWARE where QEMU's firmware is not where it
# looks), bounded by TIMEOUT seconds of /proc/uptime (CLOCK says which:
# emulated ones in the machine).  Prints the command, the guest's
# "GUEST: " lines (tests/machine/nested-init.sh) and a verdict; QEMU's
# whole output (its messages, SeaBIOS, the guest's console) goes to
# $DETAILS/qemu-linux.log.
show_qemu_linux() {
	local kernel=$1 initrd=$2 timeout=$3 clock=$4 firmware=${5:-} rc=0 start took why
	set -- -accel kvm,kernel-irqchip=off -m 256 -nodefaults -nographic \
		-serial stdio -no-reboot
	[ -z "$firmware" ] || set -- "$@" -L "$firmware"
	set -- "$@" -kernel "$kernel" -initrd "$initrd" -append console=ttyS0
	echo "== Debian's QEMU 7.2 boots Linux on vmxlab (README: Boot Linux under QEMU on vmxlab):"
	echo "vmxlab exec -- qemu-system-x86_64 $*"
	start=$(cut -d. -f1 /proc/uptime)
	# In braces: the shell's "Killed" after a timeout goes to the log too.
	{ timeout -s KILL "$timeout" "$VMXLAB" exec -- qemu-system-x86_64 "$@"; } \
		< /dev/null > "$DETAILS/qemu-linux.log" 2>&1 || rc=$?
	took=$(( $(cut -d. -f1 /proc/uptime) - start ))
	qemu_output | grep '^GUEST: ' || true
	why=$(qemu_failure "$rc" "$timeout" "$clock")
	if [ -z "$why" ]; then
		echo "== QEMU on vmxlab: PASS: Linux booted, ran its script and powered off ($took $clock)"
		echo "   QEMU's whole output: $WHERE/qemu-linux.log"
		return 0
	fi
	echo "== QEMU on vmxlab: FAILED after $took $clock: $why; QEMU's last lines:"
	qemu_output | grep -v '^$' | tail -n 6 | sed 's/^/   /'
	echo "   QEMU's whole output: $WHERE/qemu-linux.log"
	return 1
}
