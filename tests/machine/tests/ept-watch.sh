#!/bin/sh
# machines: bochs-6.12
# EPT watches (include/vmxlab/uapi.h, "EPT watches"; `vmxlab run --watch`)
# on the guests watch-write, watch-exec and watch-fault (tests/guests/), each
# also judged by its manifest: every hit is
# reported with the guest-physical address, the kind of access and the RIP
# of the instruction; ALLOW_ONCE lets exactly one instruction through (the
# next write, or the next instruction fetched from the page, hits again);
# BLOCK keeps the instruction from ever completing (the tool gives up
# after --watch-max hits, all at the same RIP, and the guest prints
# nothing); an instruction allowed once that faults gets its fault in the
# guest, without vmxlab's TF; a read watch on a code page (execute-only)
# catches data reads and the IDT read of an event's delivery, which cannot
# be allowed once; bad ioctl input gets its error code
# (progs/ept-watch-api.c).
# Bochs 2.7 has no monitor trap flag, so this steps with RFLAGS.TF.
# If this fails, a user watching guest memory misses accesses, sees wrong
# addresses or instructions, cannot let one access through, or a watch
# silently lets a guest write what it should not.
. /lib/vmxlab-test.sh

need_tool
load_vmxlab

failed=0
sub() {
	if [ -z "$2" ]; then
		echo "PASS $1" >> "$SUBRESULTS"
	else
		echo "FAIL $1: $2" >> "$SUBRESULTS"
		failed=$((failed + 1))
	fi
}

# watch NAME ARGS...: vmxlab run; /tmp/NAME.{out,err}, hit lines in /tmp/NAME.hits.
watch() {
	local name=$1
	shift
	timeout -k 2 20 vmxlab run "$@" > "/tmp/$name.out" 2> "/tmp/$name.err"
	rc=$?
	grep '^watch: ' "/tmp/$name.err" | sed 's/ gla 0x[0-9a-f]*//' > "/tmp/$name.hits"
	echo "== $name: exit $rc"
	cat "/tmp/$name.out"
	head -n 12 "/tmp/$name.err"
}

# expect_hits NAME LINE...: the hit lines (gla left out), in this order.
expect_hits() {
	local name=$1 want
	shift
	want=$(printf '%s\n' "$@")
	[ "$(cat "/tmp/$name.hits")" = "$want" ] && return
	echo "hits '$(tr '\n' '|' < "/tmp/$name.hits")', want '$(echo "$want" | tr '\n' '|')'"
}

# A write watch, each hit allowed once: both writes hit, one after the other.
watch write-once --watch 0x3000:w:once /guests/watch-write.bin
sub write-once/status "$([ "$rc" -eq 0 ] || echo "exit $rc: $(grep '^vmxlab:' /tmp/write-once.err | head -n 1)")"
sub write-once/hits "$(expect_hits write-once \
	'watch: vcpu 0 write gpa 0x3000 rip 0x1010 -> allowed once' \
	'watch: vcpu 0 write gpa 0x3002 rip 0x1020 -> allowed once')"
sub write-once/writes-landed "$(grep -qx 'both writes arrived' /tmp/write-once.out || echo "guest said '$(cat /tmp/write-once.out)'")"

# The same linear address in the guest: real mode, so gla = gpa.
sub write-once/gla "$(grep -q 'write gpa 0x3000 rip 0x1010 gla 0x3000 ' /tmp/write-once.err || echo "no 'gla 0x3000' on the first hit: $(grep -m1 '^watch:' /tmp/write-once.err)")"

# Blocked: the first write never completes; the tool gives up after 3 hits.
watch write-block --watch 0x3000:w:block --watch-max 3 /guests/watch-write.bin
sub write-block/status "$([ "$rc" -eq 7 ] || echo "exit $rc, want 7 (--watch-max)")"
sub write-block/hits "$(expect_hits write-block \
	'watch: vcpu 0 write gpa 0x3000 rip 0x1010 -> blocked' \
	'watch: vcpu 0 write gpa 0x3000 rip 0x1010 -> blocked' \
	'watch: vcpu 0 write gpa 0x3000 rip 0x1010 -> blocked')"
sub write-block/no-output "$([ ! -s /tmp/write-block.out ] || echo "the guest printed '$(cat /tmp/write-block.out)'")"
sub write-block/gives-up "$(grep -qx 'vmxlab: watch: 3 hits, giving up (--watch-max 3)' /tmp/write-block.err || echo "no giving-up message")"

# Reads of a page under a write watch are no hits; a read watch catches them.
watch read-once --watch 0x3000:rw:once /guests/watch-write.bin
sub read-once/status "$([ "$rc" -eq 0 ] || echo "exit $rc")"
sub read-once/hits "$(expect_hits read-once \
	'watch: vcpu 0 write gpa 0x3000 rip 0x1010 -> allowed once' \
	'watch: vcpu 0 write gpa 0x3002 rip 0x1020 -> allowed once' \
	'watch: vcpu 0 read gpa 0x3000 rip 0x1026 -> allowed once' \
	'watch: vcpu 0 read gpa 0x3002 rip 0x102a -> allowed once')"

# An execute watch: every instruction fetched from the page is one hit.
watch exec-once --watch 0x3000:x:once /guests/watch-exec.bin
sub exec-once/status "$([ "$rc" -eq 0 ] || echo "exit $rc: $(grep '^vmxlab:' /tmp/exec-once.err | head -n 1)")"
sub exec-once/hits "$(expect_hits exec-once \
	'watch: vcpu 0 exec gpa 0x3000 rip 0x3000 -> allowed once' \
	'watch: vcpu 0 exec gpa 0x3001 rip 0x3001 -> allowed once' \
	'watch: vcpu 0 exec gpa 0x3000 rip 0x3000 -> allowed once' \
	'watch: vcpu 0 exec gpa 0x3001 rip 0x3001 -> allowed once')"
sub exec-once/routine-ran "$(grep -qx 'routine ran twice' /tmp/exec-once.out || echo "guest said '$(cat /tmp/exec-once.out)'")"

watch exec-block --watch 0x3000:x:block --watch-max 2 /guests/watch-exec.bin
sub exec-block/status "$([ "$rc" -eq 7 ] || echo "exit $rc, want 7 (--watch-max)")"
sub exec-block/hits "$(expect_hits exec-block \
	'watch: vcpu 0 exec gpa 0x3000 rip 0x3000 -> blocked' \
	'watch: vcpu 0 exec gpa 0x3000 rip 0x3000 -> blocked')"

# Allowed once, the instruction faults after its read: the page closes at
# the fault, the #GP reaches the guest's handler, without vmxlab's TF.
watch fault-once --mode protected --watch 0x3000:rwx:once /guests/watch-fault.bin
sub fault-once/status "$([ "$rc" -eq 0 ] || echo "exit $rc: $(grep '^vmxlab:' /tmp/fault-once.err | head -n 1)")"
sub fault-once/hits "$(expect_hits fault-once \
	'watch: vcpu 0 read gpa 0x3000 rip 0x1020 -> allowed once')"
sub fault-once/gp-reflected "$(grep -qx '#GP after the watched read, TF clear' /tmp/fault-once.out || echo "guest said '$(cat /tmp/fault-once.out)'")"

# A read watch on the guest's code page leaves it execute-only: the code
# runs, its data reads hit, and so does the IDT read of the #GP's delivery,
# which cannot be allowed once (-EOPNOTSUPP): the tool says so and stops.
watch delivery --mode protected --watch 0x1000:r:once /guests/watch-fault.bin
sub delivery/status "$([ "$rc" -eq 1 ] || echo "exit $rc, want 1")"
sub delivery/lidt-hit "$(head -n 1 /tmp/delivery.hits | grep -qxE 'watch: vcpu 0 read gpa 0x1[0-9a-f]{3} rip 0x1000 -> allowed once' ||
	echo "first hit '$(head -n 1 /tmp/delivery.hits)', want the LIDT's read at rip 0x1000")"
sub delivery/idt-hit "$(tail -n 1 /tmp/delivery.hits | grep -qxE 'watch: vcpu 0 read gpa 0x1[0-9a-f]{3} rip 0x1020 \(event delivery\) -> allowed once' ||
	echo "last hit '$(tail -n 1 /tmp/delivery.hits)', want the IDT read delivering the #GP of rip 0x1020")"
sub delivery/refused "$(grep -q 'VMXLAB_WATCH_RESUME (once) .*Operation not supported (an access of event delivery cannot be allowed once)' /tmp/delivery.err ||
	echo "no EOPNOTSUPP message: $(grep '^vmxlab:' /tmp/delivery.err | head -n 1)")"

# The three guests judged by their manifests (output, end, exits, registers).
. /lib/vmxlab-guests.sh
# shellcheck disable=SC2034 # read by run_guest of vmxlab-guests.sh
DEVICE=vmxlab
for m in watch-write watch-exec watch-fault; do
	run_guest "/guests/$m.manifest" || failed=$((failed + 1))
done

# The tool's refusals: an unaligned watch is the kernel's -EINVAL.
watch unaligned --watch 0x3004:w /guests/watch-write.bin
sub unaligned/refused "$([ "$rc" -eq 1 ] && grep -q 'VMXLAB_SET_EPT_WATCH failed: Invalid argument' /tmp/unaligned.err ||
	echo "exit $rc: $(head -n 1 /tmp/unaligned.err)")"

# Bad and good ioctl input.
ept-watch-api > /tmp/api.out 2>&1
api_rc=$?
cat /tmp/api.out
grep -E '^(PASS|FAIL) ' /tmp/api.out | sed -E 's/^(PASS|FAIL) /\1 api\//' >> "$SUBRESULTS"
[ "$api_rc" -eq 0 ] || failed=$((failed + 1))

[ "$failed" -eq 0 ] || fail "$failed check(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
