#!/usr/bin/env bash
# bench.sh (`make bench`): what an exit, an interrupt injected from user
# space, a first run, a VM creation, the mapping of guest memory and
# Debian's QEMU booting Linux cost on vmxlab and on kvm_intel, side by side.
#
#   tests/bench/bench.sh [--out DIR]      (default DIR: build/bench)
#
# A benchmark, not a test: it prints one table and never judges timing, but
# it exits 1, loudly, when it cannot measure (a build, the boot or a
# measurement missing).  One boot of the emulated machine (Bochs, one
# CPU, Debian's 6.1 kernel, `clock: sync=none`), whose TSC advances by one
# per retired instruction: the figures are instructions, host and guest,
# and repeat from run to run.  In that boot vmxlab runs its half
# (tests/machine/progs/bench-client.c on /dev/vmxlab, the guests of
# tests/bench, then QEMU through progs/qemu-boot-cost.c), is unloaded,
# then kvm_intel runs the same client, guests and QEMU command on /dev/kvm
# (on 6.1 kvm_intel holds VMX only while a VM exists).
# DIR keeps the raw lines (bench.lines), the table (bench.txt) and the
# boot's serial log.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=$TOP/build/bench

die() {
	echo "bench: FAILED: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	*) echo "bench: unknown argument $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Debian's QEMU booting Linux (the guest of tests/machine/tests/qemu-linux.sh,
# which --with-qemu puts in the machine) up to the guest /init's first line.
QEMU_ARGS='-accel kvm,kernel-irqchip=off -m 256 -nodefaults -nographic -serial stdio -no-reboot'
QEMU_ARGS+=' -L /qemu/firmware -kernel /qemu/vmlinuz -initrd /qemu/initrd.gz -append console=ttyS0'

# shellcheck disable=SC2016 # expanded in the machine
# What runs in the machine (busybox sh).  bench-client's errors and exit
# status come back as lines too; a missing value is caught below.
SHELL_CMD='echo "BENCH-INFO kernel $(uname -r)"
echo "BENCH-INFO cpu $(sed -n "s/^model name[[:space:]]*: //p" /proc/cpuinfo | head -n 1)"
QEMU="/usr/bin/qemu-system-x86_64 '"$QEMU_ARGS"'"
insmod /vmxlab.ko || { echo "BENCH-ERROR insmod vmxlab failed"; exit 1; }
bench-client /dev/vmxlab vmxlab /bench || echo "BENCH-ERROR vmxlab: bench-client exit status $?"
qemu-boot-cost vmxlab "GUEST: " /tmp/qemu-vmxlab.log -- vmxlab exec -- $QEMU ||
	tail -n 5 /tmp/qemu-vmxlab.log
rmmod vmxlab || echo "BENCH-ERROR rmmod vmxlab failed"
for m in irqbypass kvm kvm-intel; do
	insmod /kvm/$m.ko || { echo "BENCH-ERROR insmod $m failed"; exit 1; }
done
bench-client /dev/kvm kvm_intel /bench || echo "BENCH-ERROR kvm_intel: bench-client exit status $?"
qemu-boot-cost kvm_intel "GUEST: " /tmp/qemu-kvm.log -- $QEMU || tail -n 5 /tmp/qemu-kvm.log
rmmod kvm_intel kvm irqbypass'

build() {
	echo "bench: building (modules, static tool, bench guests)" >&2
	make -s -C "$TOP" modules-all > "$OUT/build.log" 2>&1 ||
		die "make modules-all failed; see $OUT/build.log"
	make -s -C "$TOP/tools" static >> "$OUT/build.log" 2>&1 ||
		die "make -C tools static failed; see $OUT/build.log"
	make -s -C "$HERE" >> "$OUT/build.log" 2>&1 ||
		die "make -C tests/bench failed; see $OUT/build.log"
}

boot() {
	echo "bench: booting the emulated machine (Bochs, 1 CPU, 6.1): about 20 minutes" >&2
	# boot.sh's verdict covers its own checks (e.g. the power-off with VMX
	# held); what matters here is that every measurement came back.
	"$TOP/tests/machine/boot.sh" --kernel 6.1 --cpus 1 --tests none --with-qemu \
		--shell-cmd "$SHELL_CMD" --out "$OUT/boot" --timeout 3000 \
		> "$OUT/boot.out" 2> "$OUT/boot.err" || true
	grep -E '^BENCH' "$OUT/boot.out" > "$OUT/bench.lines" || true
}

# The value of measurement $2 for label $1 ("" if missing).
value() {
	awk -v l="$1" -v n="$2" '$1 == "BENCH" && $2 == l && $3 == n { v = $4 } END { print v }' \
		"$OUT/bench.lines"
}

check_complete() {
	local l n missing=''
	for l in vmxlab kvm_intel; do
		for n in baseline spin-2000 cpuid pio-out mmio-write hlt cpuid-min pio-out-min \
			mmio-write-min hlt-min first-run-16M create-16M \
			create-256M create-1G map-64M-kib vm-64M-kib map-64M-secpt-kib \
			irq-ready irq-window qemu-boot qemu-run; do
			[ -n "$(value "$l" "$n")" ] || missing="$missing $l/$n"
		done
	done
	if [ -n "$missing" ]; then
		if grep -q '^BENCH-INFO' "$OUT/bench.lines"; then
			echo "bench: last lines of the machine's output:" >&2
			tail -n 15 "$OUT/boot.out" >&2
		else
			echo "bench: the machine did not run the benchmark; boot.sh said:" >&2
			tail -n 15 "$OUT/boot.err" >&2
			grep -h 'FAIL' "$OUT/boot.out" >&2 || true
		fi
		die "measurements missing:$missing (serial log: $OUT/boot/serial.out)"
	fi
}

ratio() {
	case "$1$2" in *[!0-9]*|'') echo -; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# A net page count below zero means something else freed pages meanwhile.
mem() { if [ "${1:-x}" -lt 0 ] 2>/dev/null; then echo "n/a*"; else echo "$1"; fi; }

# meets TARGET VALUE: "yes (<= T)" or "NO (<= T)".
meets() {
	if [ "$2" -le "$1" ]; then printf 'yes (<= %s)' "$1"; else printf 'NO (<= %s)' "$1"; fi
}

# meets_ratio TARGET VMXLAB KVM: "yes (<= TARGET x KVM)" or "NO (...)".
meets_ratio() {
	if awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(b > 0 && a <= t * b) }'; then
		printf 'yes (<= %s x KVM)' "$1"
	else
		printf 'NO (<= %s x KVM)' "$1"
	fi
}

row() {	# NAME VMXLAB KVM TARGET-COLUMN
	printf '| %-44s | %10s | %10s | %6s | %-26s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "$4"
}

table() {
	local c16 c1g flat cpu kernel bochs
	v() { value vmxlab "$1"; }
	k() { value kvm_intel "$1"; }
	kernel=$(sed -n 's/^BENCH-INFO kernel //p' "$OUT/bench.lines" | head -n 1)
	cpu=$(sed -n 's/^BENCH-INFO cpu //p' "$OUT/bench.lines" | head -n 1)
	bochs=$(grep -E '^(cpu|clock):' "$OUT/boot/bochsrc" | tr '\n' ';' | sed 's/;$//; s/;/; /')
	c16=$(v create-16M) c1g=$(v create-1G)
	if awk -v a="$c16" -v b="$c1g" 'BEGIN { exit !(b <= a * 1.1 && a <= b * 1.1) }'; then
		flat="yes (1G/16M $(ratio "$c1g" "$c16"))"
	else
		flat="NO (1G/16M $(ratio "$c1g" "$c16"))"
	fi
	echo "vmxlab vs kvm_intel, host+guest instructions (TSC with Bochs count=1)"
	echo "kernel: $kernel; CPU: $cpu"
	echo "Bochs: $bochs"
	echo "per exit: throughput, RDTSC around 1000 consecutive exits divided by 1000, minus"
	echo "the empty loop's round (vmxlab $(v baseline), KVM $(k baseline) instructions)"
	echo
	printf '| %-44s | %10s | %10s | %6s | %-26s |\n' measurement vmxlab kvm_intel ratio "meets target"
	printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..12})" \
		"$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..28})"
	row "CPUID exit, answered in the kernel" "$(v cpuid)" "$(k cpuid)" "$(meets 150 "$(v cpuid)")"
	row "port-I/O exit to user space (KVM_RUN trip)" "$(v pio-out)" "$(k pio-out)" "$(meets 2700 "$(v pio-out)")"
	row "MMIO exit to user space (store to a hole)" "$(v mmio-write)" "$(k mmio-write)" "-"
	row "HLT exit to user space" "$(v hlt)" "$(k hlt)" "-"
	row "interrupt, KVM_INTERRUPT to handler's OUT" "$(v irq-ready)" "$(k irq-ready)" \
		"$(meets_ratio 0.60 "$(v irq-ready)" "$(k irq-ready)")"
	row "  the same after an interrupt window (IF=0)" "$(v irq-window)" "$(k irq-window)" "-"
	row "QEMU start to the Linux guest's first line" "$(v qemu-boot)" "$(k qemu-boot)" \
		"$(meets_ratio 1.00 "$(v qemu-boot)" "$(k qemu-boot)")"
	row "  to QEMU's exit (the guest sleeps 1 s)" "$(v qemu-run)" "$(k qemu-run)" "-"
	row "first KVM_RUN of a fresh vCPU (16 MiB)" "$(v first-run-16M)" "$(k first-run-16M)" "$(meets 40000 "$(v first-run-16M)")"
	row "first KVM_RUN of a fresh vCPU (256 MiB)" "$(v first-run-256M)" "$(k first-run-256M)" "-"
	row "first KVM_RUN of a fresh vCPU (1 GiB)" "$(v first-run-1G)" "$(k first-run-1G)" "-"
	row "VM creation to first exit, 16 MiB" "$c16" "$(k create-16M)" "-"
	row "VM creation to first exit, 256 MiB" "$(v create-256M)" "$(k create-256M)" "-"
	row "VM creation to first exit, 1 GiB" "$c1g" "$(k create-1G)" "flat: $flat"
	row "KiB allocated while the guest touched 64 MiB" "$(mem "$(v map-64M-kib)")" "$(mem "$(k map-64M-kib)")" "-"
	row "  SecPageTables growth meanwhile, KiB" "n/a" "$(k map-64M-secpt-kib)" "-"
	row "KiB for the VM, creation + 64 MiB touched" "$(mem "$(v vm-64M-kib)")" "$(mem "$(k vm-64M-kib)")" "-"
	echo
	echo "Background: 1,000 rounds of a 2-instruction guest loop with no exit took"
	echo "$(v spin-2000) (vmxlab) and $(k spin-2000) (KVM) instructions: more than 2,000 means"
	echo "the host ran other work meanwhile, and the throughputs above include it."
	echo
	echo "For comparison, the smallest single exit of 200 (hides work paid every Nth exit):"
	echo "CPUID $(v cpuid-min) vs $(k cpuid-min); port I/O $(v pio-out-min) vs $(k pio-out-min);" \
		"MMIO $(v mmio-write-min) vs $(k mmio-write-min); HLT $(v hlt-min) vs $(k hlt-min)."
	echo
	echo "Interrupts (tests/bench/irq-cost.S, protected mode, IF=1): a round is"
	echo "KVM_INTERRUPT, KVM_RUN, the entry that delivers the vector and the exit of"
	echo "the handler's first instruction, an OUT, back to the client (RDTSC in the"
	echo "client around 1,000 rounds, divided by 1,000, nothing subtracted; it contains"
	echo "one port-I/O exit to user space).  First row: a trap gate, so the vCPU is"
	echo "ready at the OUT and the next vector goes in at once.  Second row: an"
	echo "interrupt gate, so the client asks for an interrupt window and injects at"
	echo "KVM_EXIT_IRQ_WINDOW_OPEN, after the handler's IRET: two exits a round, as a"
	echo "VMM whose device raises an interrupt while the guest's handler runs."
	echo
	echo "QEMU: Debian's QEMU 7.2 (-accel kvm,kernel-irqchip=off, default CPU model,"
	echo "one vCPU; vmxlab's through \`vmxlab exec\`) boots the machine's kernel with a"
	echo "busybox initramfs (tests/machine/nested-init.sh); RDTSC from before QEMU starts"
	echo "to the guest /init's first line (progs/qemu-boot-cost.c): SeaBIOS, the kernel's"
	echo "boot and QEMU's own work, the machine's idle loop included."
	echo
	echo "Memory: net pages the kernel allocated (sum of pgalloc_* minus pgfree in"
	echo "/proc/vmstat) while the guest wrote one byte in each 4 KiB page of 64 MiB (no"
	echo "THP), minus the same count while the client wrote the same pages itself (guest"
	echo "pages + host page tables); median of 3.  The first row counts from the guest's"
	echo "first exit, the last from before KVM_CREATE_VM.  SecPageTables: KVM's own count"
	echo "of its EPT pages; vmxlab does not keep one.  n/a*: the net count went below the"
	echo "client's own (the kernel freed more than the hypervisor allocated meanwhile),"
	echo "so it cannot be attributed; see the map-64M-try lines in bench.lines."
}

main() {
	build
	boot
	check_complete
	table | tee "$OUT/bench.txt"
	echo "bench: raw lines in $OUT/bench.lines, serial log in $OUT/boot/serial.out" >&2
}

main
