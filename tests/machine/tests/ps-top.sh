#!/bin/sh
# machines: bochs-6.12
# `vmxlab ps` and `vmxlab top` (debugfs vmxlab/vm-PID-N/status) while
# guests run: cpuid-loop.bin (CPUID in a loop, every exit answered in
# the kernel) and loop.bin (`jmp .`: only timer-driven exits) as root,
# and loop.bin again as a member of kvm.  ps must show each VM with its
# process, command, one vCPU running on a CPU of this machine, one slot,
# pinned and EPT pages, and exits growing (none while its VMM is stopped,
# its vCPU then in user space); top a CPUID rate above zero
# for the CPUID guest; the member, who runs guests but cannot read
# debugfs, a message that says so; and both an empty view once the VMs
# are gone.
# If this fails, the VM view does not follow the guests, names the wrong
# process, or outlives the VMs.
. /lib/vmxlab-test.sh

need_tool
for g in cpuid-loop loop; do
	[ -f "/guests/$g.bin" ] || fail "not run: /guests/$g.bin missing"
done
load_vmxlab

guests=""
stop_guests() {
	# shellcheck disable=SC2086 # a list of pids
	[ -z "$guests" ] || kill -INT $guests 2> /dev/null
	wait
}
trap stop_guests EXIT

# A member of kvm, as device-perms.sh makes one, with the udev rule's
# group and mode on the device.
echo 'root:x:0:0:root:/:/bin/sh
member:x:1000:1000::/tmp:/bin/sh' > /etc/passwd
echo 'root:x:0:
kvm:x:108:member
member:x:1000:' > /etc/group
{ chgrp kvm /dev/vmxlab && chmod 0660 /dev/vmxlab; } || fail "cannot give /dev/vmxlab to kvm"

vmxlab run /guests/cpuid-loop.bin > /tmp/cpuid-loop.out 2>&1 &
cpuid_pid=$!
vmxlab run /guests/loop.bin > /tmp/loop.out 2>&1 &
loop_pid=$!
su -s /bin/sh member -c 'exec vmxlab run /guests/loop.bin' > /tmp/member.out 2>&1 &
member_su=$!
guests="$cpuid_pid $loop_pid $member_su"
sleep 2

vmxlab ps > /tmp/ps1 2>&1 || fail "vmxlab ps failed: $(cat /tmp/ps1)"
sleep 1
vmxlab ps > /tmp/ps2 2>&1 || fail "vmxlab ps failed: $(cat /tmp/ps2)"
vmxlab ps --json > /tmp/ps.json 2>&1 || fail "vmxlab ps --json failed: $(cat /tmp/ps.json)"
cat /tmp/ps2
ncpus=$(grep -c '^processor' /proc/cpuinfo)

# vm_line FILE PID: the one line of `vmxlab ps` for the VM of PID.
vm_line() {
	grep "^vm-$2-[0-9]* " "$1"
}

for pid in $cpuid_pid $loop_pid; do
	line=$(vm_line /tmp/ps2 "$pid")
	[ "$(echo "$line" | grep -c .)" -eq 1 ] ||
		fail "want one line for pid $pid in vmxlab ps, got '$line'"
	# VM PID COMMAND VCPUS SLOTS PINNED EPT EXITS CPU/STATE
	# shellcheck disable=SC2086 # its columns
	set -- $line
	{ [ "$2" = "$pid" ] && [ "$3" = vmxlab ] && [ "$4" = 1 ] && [ "$5" = 1 ]; } ||
		fail "pid $pid: want pid $pid, command vmxlab, 1 vCPU, 1 slot: '$line'"
	{ [ "$6" -gt 0 ] && [ "$7" -gt 1 ]; } ||
		fail "pid $pid: no pinned pages or no EPT tables below the PML4: '$line'"
	cpu=${9#0:}
	cpu=${cpu%/running}
	case "$9" in
	0:[0-9]*/running) [ "$cpu" -lt "$ncpus" ] || fail "pid $pid: CPU $cpu of $ncpus: '$line'" ;;
	*) fail "pid $pid: vCPU 0 not 'running' on a CPU: '$line'" ;;
	esac
	exits1=$(vm_line /tmp/ps1 "$pid" | awk '{ print $8 }')
	{ [ -n "$exits1" ] && [ "$8" -gt "$exits1" ]; } ||
		fail "pid $pid: exits did not grow while it ran: ${exits1:-none} then $8"
	note "pid $pid: exits $exits1 then $8 a second later"
done

# The member's VM: there, and its process is the member's.
member_pid=$(awk '/^vm-/ && $2 != '"$cpuid_pid"' && $2 != '"$loop_pid"' { print $2 }' /tmp/ps2)
[ -n "$member_pid" ] || fail "the kvm member's VM is not in vmxlab ps: $(cat /tmp/member.out)"
guests="$guests $member_pid"
[ "$(stat -c %u "/proc/$member_pid")" = 1000 ] ||
	fail "the third VM's process $member_pid is not the member's"
{ grep -q '"comm": "vmxlab"' /tmp/ps.json && grep -q "\"pid\": $cpuid_pid," /tmp/ps.json &&
	grep -q '"CPUID": [1-9]' /tmp/ps.json; } || fail "vmxlab ps --json: $(head -c 600 /tmp/ps.json)"

vmxlab top -b -n 2 -d 1 > /tmp/top 2>&1 || fail "vmxlab top failed: $(cat /tmp/top)"
cat /tmp/top
# The second report's lines for the CPUID guest's VM.
rate=$(awk '/^vmxlab top:/ { n++ } /^vm-/ { on = ($2 == '"$cpuid_pid"') }
	n == 2 && on && $1 == "CPUID" { print $3 }' /tmp/top)
{ [ -n "$rate" ] && [ "$rate" -gt 0 ]; } ||
	fail "vmxlab top shows no CPUID rate for the CPUID guest: '${rate}'"
note "CPUID exits per second in Bochs: $rate"

# The member sees no VM view: debugfs is root's; the tool says so.
su -s /bin/sh member -c 'vmxlab ps' > /tmp/member-ps 2>&1
rc=$?
cat /tmp/member-ps
{ [ "$rc" -eq 3 ] && grep -q "debugfs, which is root's" /tmp/member-ps; } ||
	fail "a kvm member's vmxlab ps: exit $rc, want 3 and the reason: $(cat /tmp/member-ps)"

# A stopped VMM: its vCPU leaves KVM_RUN for the stop (a signal), so it
# is in user space and its VM takes no exits.
kill -STOP "$loop_pid"
sleep 1
stopped1=$(vmxlab ps 2>&1 | grep "^vm-$loop_pid-")
sleep 1
stopped2=$(vmxlab ps 2>&1 | grep "^vm-$loop_pid-")
kill -CONT "$loop_pid"
echo "$stopped2"
echo "$stopped2" | grep -Eq ' 0:[0-9]+/user$' ||
	fail "the stopped VMM's vCPU is not shown in user space: '$stopped2'"
[ "$(echo "$stopped1" | awk '{ print $8 }')" = "$(echo "$stopped2" | awk '{ print $8 }')" ] ||
	fail "a stopped VMM's VM took exits: '$stopped1' then '$stopped2'"

# shellcheck disable=SC2086 # a list of pids
kill -INT $guests 2> /dev/null
wait
guests=""
# The member's VM is su's child: give it a moment to go too.
for _ in 1 2 3 4 5; do
	out=$(vmxlab ps 2>&1)
	[ "$out" = "no VMs running" ] && break
	sleep 1
done
[ "$out" = "no VMs running" ] || fail "after the VMs ended, vmxlab ps says: $out"
vmxlab top -b -n 1 -d 0.5 > /tmp/top-empty 2>&1
grep -q '^vmxlab top: 0 VMs' /tmp/top-empty ||
	fail "after the VMs ended, vmxlab top says: $(cat /tmp/top-empty)"
