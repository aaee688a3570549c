#!/bin/sh
# shellcheck shell=dash # busybox ash: ShellCheck 0.9.0 knows no busybox dialect
# /init of the Linux guest that QEMU boots inside the emulated machine
# (tests/qemu-linux.sh; built by build-nested-initramfs.sh).  It shows what
# a user of a booted guest would check first: the kernel runs, timer
# interrupts arrive, memory and files work, the guest can power off.
# Every line tests/qemu-linux.sh judges starts with "GUEST: "; numbers
# that differ from run to run follow an "=" (the test masks them).

export PATH=/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin	# needs /proc/self/exe
mount -t tmpfs tmpfs /tmp

say() { echo "GUEST: $*"; }

# Local APIC timer (LOC) and IRQ 0 (the PIT, before the local APIC
# timer takes over), summed over the CPUs.
timer_interrupts() {
	awk '$1 == "LOC:" || $1 == "0:" {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
	} END { print n + 0 }' /proc/interrupts
}

say "uname -r: $(uname -r)"
say "cpus online: $(grep -c '^processor' /proc/cpuinfo)"
first=$(timer_interrupts)
sleep 1
second=$(timer_interrupts)
say "timer interrupts, first read =$first, second read =$second"
if [ "$second" -gt "$first" ]; then
	say "timer interrupts arriving: yes"
else
	say "timer interrupts arriving: no"
fi
echo "written by the nested guest" > /tmp/file
say "file read back: $(cat /tmp/file)"
say "powering off"
poweroff -f
