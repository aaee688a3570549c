#!/bin/sh
# machines: bochs-6.1
# The test guests of tests/guests/, each run by `vmxlab run --device
# /dev/kvm --trace` and judged by its manifest: the exact stdout, how the
# run ended (HLT, a debug exit's status, a triple fault) and the count of
# each exit kind.  One sub-result per guest.  Then `vmxlab run` on
# /dev/vmxlab, which runs no guests yet, must say so and exit 1.
# If this fails, `vmxlab run` does not drive KVM's API as its help says
# (ports, exit handling, statuses), or a guest does not do what its
# source says; the vmxlab module's own guests will be judged by these.
. /lib/vmxlab-test.sh

GUESTS=/guests
# Emulated seconds per guest; each takes well under one.
GUEST_TIMEOUT=10

# field KEY MANIFEST: the rest of the line "KEY rest" (empty if none).
field() {
	sed -n "s/^$1\$//p; s/^$1 //p" "$2" | head -n 1
}

# expected_status END: the exit status a run with that end must have.
expected_status() {
	case $1 in
	hlt) echo 0 ;;
	"debug-exit "*) echo "${1#debug-exit }" ;;
	shutdown) echo 5 ;;
	*) echo "bad end '$1'" ;;
	esac
}

# check_run NAME END EXITS: judge /tmp/guest.{out,expected,err} and $rc;
# prints the reason of a failure.
check_run() {
	local want last
	want=$(expected_status "$2")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ]; then
		echo "timed out after ${GUEST_TIMEOUT}s"
	elif [ "$rc" != "$want" ]; then
		echo "exit status $rc, want $want ($2); stderr: $(grep '^vmxlab: ' /tmp/guest.err | head -n 1)"
	elif ! cmp -s /tmp/guest.out /tmp/guest.expected; then
		echo "stdout '$(od -c /tmp/guest.out | head -n 2 | tr -s ' \n' ' ')', want '$(od -c /tmp/guest.expected | head -n 2 | tr -s ' \n' ' ')'"
	elif [ "$2" = shutdown ] && ! grep -qxF 'vmxlab: guest triple-faulted (KVM_EXIT_SHUTDOWN)' /tmp/guest.err; then
		echo "no 'guest triple-faulted (KVM_EXIT_SHUTDOWN)' message"
	elif [ "$2" != shutdown ] && grep -q '^vmxlab: ' /tmp/guest.err; then
		echo "unexpected message: $(grep '^vmxlab: ' /tmp/guest.err | head -n 1)"
	elif last=$(tail -n 1 /tmp/guest.err) && [ -n "$3" ] && [ "$last" != "exits: $3" ]; then
		echo "'$last', want 'exits: $3'"
	fi
}

# run_guest MANIFEST: one sub-result; returns 1 if it failed.
run_guest() {
	local name guest args end exits why
	name=$(basename "$1" .manifest)
	guest=$(field guest "$1")
	args=$(field args "$1")
	end=$(field end "$1")
	exits=$(field exits "$1")
	printf '%b' "$(field stdout "$1")" > /tmp/guest.expected
	# shellcheck disable=SC2086 # args: several options
	timeout "$GUEST_TIMEOUT" vmxlab run --device /dev/kvm --trace $args \
		"$GUESTS/${guest:-$name}.bin" > /tmp/guest.out 2> /tmp/guest.err
	rc=$?
	echo "== $name: exit $rc"
	cat /tmp/guest.out
	tail -n 5 /tmp/guest.err
	note "$name: exit $rc, $(tail -n 1 /tmp/guest.err)"
	why=$(check_run "$name" "$end" "$exits")
	if [ -n "$why" ]; then
		echo "FAIL $name: $why" >> "$SUBRESULTS"
		return 1
	fi
	echo "PASS $name" >> "$SUBRESULTS"
}

# Until vmxlab runs guests, its device must refuse in plain words.
check_vmxlab_device() {
	local out
	load_vmxlab
	out=$(vmxlab run "$GUESTS/hello.bin" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$out" = "vmxlab: /dev/vmxlab does not run guests yet (this vmxlab has no KVM_CREATE_VM); try --device /dev/kvm" ]; then
		echo "PASS vmxlab-device-runs-no-guests-yet" >> "$SUBRESULTS"
		return 0
	fi
	echo "FAIL vmxlab-device-runs-no-guests-yet: exit $rc: $out" >> "$SUBRESULTS"
	return 1
}

need_tool
ls "$GUESTS"/*.manifest > /dev/null 2>&1 ||
	fail "not run: no test guests in the initramfs (build them: make -C tests/guests)"
load_kvm
failed=0
for m in "$GUESTS"/*.manifest; do
	run_guest "$m" || failed=$((failed + 1))
done
check_vmxlab_device || failed=$((failed + 1))
[ "$failed" -eq 0 ] || fail "$failed check(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
