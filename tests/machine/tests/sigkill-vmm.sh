#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# timeout: 1200
# SIGKILL of VMMs inside KVM_RUN, 2 + 2 x 20 rounds: each round starts two
# `vmxlab run`s, a two-vCPU long-mode guest that spins with a port exit to
# user space every 4096 rounds (msr-spin) and a real-mode guest in
# `jmp .` that never exits (loop), waits until `vmxlab ps` shows both VMs
# with vCPUs running and exits counted, and kills both with SIGKILL.
# Every round: both die (status 137) within 10 s, their VMs leave
# `vmxlab ps`, and `vmxlab info` counts no guest page pinned and no EPT
# table page left (the module's own counts: exact).  At the end no VMX
# user is left, free memory and slab have not shrunk and grown steadily,
# a guest still runs, and vmxlab unloads.
# On one CPU `vmxlab ps` once showed msr-spin's vCPUs as "user" (between
# port exits) for 30 s in a row: a growing exit count is a sign of life
# too (wait_running).
# If this fails, a VMM killed by the OOM killer, `kill -9` or a crash
# leaves VMs, pinned guest memory or VMX operation behind (the host slowly
# loses memory; rmmod and kvm_intel are refused), or hangs the host.
#
# Memory (lib.sh: MemFree + per-CPU page lists, after drop_caches),
# measured after two warm-up rounds and after each of two batches of 20
# rounds: a VM that is never freed keeps at least its vCPUs' run areas
# (2 pages each, 3 vCPUs a round: 480 KiB a batch), its pinned guest
# pages and its EPT, so a leak shrinks free memory by more than 384 KiB
# in both batches; its structures are slab, which grows by more than
# 256 KiB in both (lib.sh: expect_no_steady_leak, and why one batch is
# not a verdict).
. /lib/vmxlab-test.sh
need_tool

ROUNDS=20
FREE_TOLERANCE_KB=384
SLAB_TOLERANCE_KB=256

io_pid=""
spin_pid=""
kill_all() {
	# shellcheck disable=SC2086 # pids, some maybe empty
	[ -z "$io_pid$spin_pid" ] || kill -KILL $io_pid $spin_pid 2> /dev/null
	wait
}
trap kill_all EXIT

# wait_running WHEN PID: the VM of PID is alive in its guest: exits
# counted, and a vCPU shown running (inside KVM_RUN) or the exit count
# growing between two looks.  On one CPU `vmxlab ps` runs while the
# guests' threads are off the CPU, msr-spin's maybe in user space between
# its port exits ("user"), for many looks in a row.
wait_running() {
	local when=$1 pid=$2 i=0 line exits last=''
	while :; do
		kill -0 "$pid" 2> /dev/null || fail "$when: vmxlab run (pid $pid) ended before it was killed"
		line=$(vmxlab ps 2> /dev/null | grep "^vm-$pid-")
		exits=$(echo "$line" | awk '{ print $8 }')
		if [ "$exits" -gt 0 ] 2> /dev/null; then
			echo "$line" | grep -q 'running' && return 0
			[ -n "$last" ] && [ "$exits" -gt "$last" ] && return 0
			last=$exits
		fi
		[ $i -lt 60 ] || fail "$when: pid $pid not seen running within 30 s; vmxlab ps: $line"
		sleep 0.5
		i=$((i + 1))
	done
}

# wait_dead WHEN PID: SIGKILL's status 137 within 10 s.
wait_dead() {
	local when=$1 pid=$2 i=0 rc
	while kill -0 "$pid" 2> /dev/null; do
		# A zombie answers kill -0 too: wait reaps it below.
		[ -d "/proc/$pid" ] && grep -q '^State:.*Z' "/proc/$pid/status" 2> /dev/null && break
		[ $i -lt 20 ] || fail "$when: pid $pid still alive 10 s after SIGKILL"
		sleep 0.5
		i=$((i + 1))
	done
	wait "$pid"
	rc=$?
	[ "$rc" -eq 137 ] || fail "$when: pid $pid ended with status $rc, want 137 (SIGKILL)"
}

round() {
	local when="round $1" left
	vmxlab run --mode long --vcpus 2 --mem 32M /guests/msr-spin.bin > /dev/null 2>&1 &
	io_pid=$!
	vmxlab run /guests/loop.bin > /dev/null 2>&1 &
	spin_pid=$!
	wait_running "$when (msr-spin, 2 vCPUs)" $io_pid
	wait_running "$when (loop)" $spin_pid
	kill -KILL $io_pid $spin_pid
	wait_dead "$when (msr-spin)" $io_pid
	wait_dead "$when (loop)" $spin_pid
	io_pid=""
	spin_pid=""
	left=$(vmxlab ps 2> /dev/null | grep '^vm-')
	[ -z "$left" ] || fail "$when: VMs left after their VMMs were killed: $left"
	expect_no_pages_held "$when"
}

# expect_no_pages_held WHEN: with no VM left, vmxlab holds no guest page
# pinned and no EPT table page.
expect_no_pages_held() {
	local info pinned tables
	info=$(vmxlab info 2> /dev/null)
	pinned=$(echo "$info" | sed -n 's/^guest pages pinned: *//p')
	tables=$(echo "$info" | sed -n 's/^EPT table pages: *//p')
	[ "$pinned" = 0 ] || fail "$1: guest pages pinned with no VM left: '$pinned', want 0"
	[ "$tables" = 0 ] || fail "$1: EPT table pages with no VM left: '$tables', want 0"
}

# batch N: ROUNDS rounds, then mem_settle.
batch() {
	local i=1 start
	start=$(date +%s)
	while [ $i -le $ROUNDS ]; do
		round "batch $1 round $i"
		i=$((i + 1))
	done
	note "batch $1: $ROUNDS rounds in $(( $(date +%s) - start )) s"
	mem_settle
}

load_vmxlab
round warm-up-1
round warm-up-2
mem_settle
free0=$(mem_free_kb)
slab0=$(meminfo_kb Slab)
batch 1
free1=$(mem_free_kb)
slab1=$(meminfo_kb Slab)
batch 2
free2=$(mem_free_kb)
slab2=$(meminfo_kb Slab)
note "free (MemFree + per-CPU lists) ${free0} -> ${free1} -> ${free2} kB, Slab ${slab0} -> ${slab1} -> ${slab2} kB"
users=$(vmxlab info 2> /dev/null | sed -n 's/^VMX users: *//p')
[ "$users" = 0 ] || fail "VMX users after every VMM was killed: '$users', want 0"
expect_no_steady_leak "free memory (MemFree + per-CPU lists)" dropped $FREE_TOLERANCE_KB \
	"$ROUNDS rounds" "$free0" "$free1" "$free2"
expect_no_steady_leak Slab grew $SLAB_TOLERANCE_KB "$ROUNDS rounds" "$slab0" "$slab1" "$slab2"
out=$(vmxlab run /guests/hello.bin 2>&1) || fail "hello.bin after the kills: $out"
out=$(rmmod vmxlab 2>&1) || fail "rmmod vmxlab after the kills: $out"
