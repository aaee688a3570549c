#!/bin/sh
# shellcheck shell=dash # busybox ash: ShellCheck 0.9.0 knows no busybox dialect
# guests.sh, in the machine /lib/vmxlab-guests.sh: running the test guests
# of tests/guests/ (in /guests) and judging each by its manifest, shared by
# tests/guests-kvm.sh (/dev/kvm, the reference) and tests/guests-vmxlab.sh
# (/dev/vmxlab).  tests/guests/Makefile says what a manifest's keys mean.
# busybox ash; source it after /lib/vmxlab-test.sh, then
# `run_all_guests kvm|vmxlab`: one sub-result per guest, and the test fails
# if any guest did.

GUESTS=/guests
# Emulated seconds per guest; the slowest (memtest, migrate) take well
# under one.  A run still going then gets SIGTERM, 2 s later SIGKILL.
# (Bochs runs an emulated second of a spinning guest in 10-20 s.)
GUEST_TIMEOUT=5

# field KEY MANIFEST: the rest of the line "KEY rest" (empty if none); a
# line "KEY-$DEVICE rest" wins over it.
field() {
	local key=$1
	grep -qE "^$1-$DEVICE( |\$)" "$2" && key=$1-$DEVICE
	sed -n "s/^$key\$//p; s/^$key //p" "$2" | head -n 1
}

# expected_status END: the exit status a run with that end must have.
expected_status() {
	case $1 in
	hlt) echo 0 ;;
	"debug-exit "*) echo "${1#debug-exit }" ;;
	shutdown) echo 5 ;;
	signal) echo 6 ;;
	*) echo "bad end '$1'" ;;
	esac
}

# hex_norm 0x00AB: "ab" (lower case, no 0x, no leading zeros; 0 is "0").
hex_norm() {
	local v=${1#0x}
	v=$(echo "${v#0X}" | tr 'A-F' 'a-f' | sed 's/^0*//')
	echo "${v:-0}"
}

# check_regs WANT: each NAME=VALUE of WANT against the last "regs:" line
# of /tmp/guest.err; prints the first mismatch.
check_regs() {
	local line pair name want got
	line=$(grep '^regs: ' /tmp/guest.err | tail -n 1)
	if [ -z "$line" ]; then
		echo "no 'regs:' line in the --trace output"
		return
	fi
	for pair in $1; do
		name=${pair%%=*}
		want=${pair#*=}
		got=$(echo " ${line#regs:} " | sed -n "s/.* $name=\\([0-9a-fA-Fx]*\\)[ ,].*/\\1/p")
		if [ -z "$got" ]; then
			echo "no $name in '$line'"
			return
		fi
		if [ "$(hex_norm "$got")" != "$(hex_norm "$want")" ]; then
			echo "$name=$got, want $want ($line)"
			return
		fi
	done
}

# check_run: judge /tmp/guest.{out,expected,err} and $rc by run_guest's
# end, exits, regs, sig, migrations; prints the reason of a failure.
check_run() {
	local want last msg got
	want=$(expected_status "$end")
	msg=$(grep '^vmxlab: ' /tmp/guest.err | head -n 1)
	if [ "$rc" -eq 137 ] || { [ "$end" != signal ] && [ "$rc" -eq 6 ] &&
			echo "$msg" | grep -q 'stopped by signal SIGTERM'; }; then
		echo "timed out after ${GUEST_TIMEOUT}s (status $rc; $msg)"
	elif [ "$rc" != "$want" ]; then
		echo "exit status $rc, want $want ($end); stderr: $msg"
	elif ! cmp -s /tmp/guest.out /tmp/guest.expected; then
		echo "stdout '$(od -c /tmp/guest.out | head -n 3 | tr -s ' \n' ' ')', want '$(od -c /tmp/guest.expected | head -n 3 | tr -s ' \n' ' ')'"
	elif [ "$end" = shutdown ] && ! grep -qxF 'vmxlab: guest triple-faulted (KVM_EXIT_SHUTDOWN)' /tmp/guest.err; then
		echo "no 'guest triple-faulted (KVM_EXIT_SHUTDOWN)' message"
	elif [ "$end" = signal ] && ! grep -qxF "vmxlab: guest stopped by signal SIG${sig%% *} (KVM_EXIT_INTR)" /tmp/guest.err; then
		echo "no 'guest stopped by signal SIG${sig%% *} (KVM_EXIT_INTR)' message: $msg"
	elif [ "$end" != shutdown ] && [ "$end" != signal ] && [ -n "$msg" ]; then
		echo "unexpected message: $msg"
	elif last=$(tail -n 1 /tmp/guest.err) && [ -n "$exits" ] &&
			! echo "$last" | grep -qxE "exits: $(echo "$exits" | sed 's/\*/[0-9]+/g')"; then
		echo "'$last', want 'exits: $exits'"
	elif [ -n "$migrations" ] &&
			got=$(sed -n 's/^migrations: //p' /tmp/guest.err | tail -n 1) &&
			! [ "${got:-0}" -ge "$migrations" ]; then
		echo "migrations: ${got:-none}, want at least $migrations"
	elif [ -n "$regs" ]; then
		check_regs "$regs"
	fi
}

# run_guest MANIFEST: one sub-result; returns 1 if it failed.
run_guest() {
	local name guest args end exits regs sig migrations devices why
	name=$(basename "$1" .manifest)
	devices=$(field devices "$1")
	case ${devices:-both} in
	both|"$DEVICE") ;;
	*)
		note "$name: not run on /dev/$DEVICE: the manifest says 'devices $devices'"
		return 0
		;;
	esac
	guest=$(field guest "$1")
	args=$(field args "$1")
	end=$(field end "$1")
	exits=$(field exits "$1")
	regs=$(field regs "$1")
	sig=$(field signal "$1")
	migrations=$(field migrations "$1")
	printf '%b' "$(field stdout "$1")" > /tmp/guest.expected
	echo "== $name on /dev/$DEVICE: vmxlab run $args"
	if [ -n "$sig" ]; then
		# The guest never ends by itself: SIG after SECONDS ends it.
		# shellcheck disable=SC2086 # args: several options
		timeout -s "${sig%% *}" -k 2 "${sig#* }" vmxlab run --device "/dev/$DEVICE" \
			--trace $args "$GUESTS/${guest:-$name}.bin" > /tmp/guest.out 2> /tmp/guest.err
	else
		# shellcheck disable=SC2086
		timeout -k 2 "$GUEST_TIMEOUT" vmxlab run --device "/dev/$DEVICE" \
			--trace $args "$GUESTS/${guest:-$name}.bin" > /tmp/guest.out 2> /tmp/guest.err
	fi
	rc=$?
	echo "== $name: exit $rc"
	head -c 2000 /tmp/guest.out
	grep '^vmxlab: ' /tmp/guest.err | head -n 3
	tail -n 3 /tmp/guest.err
	note "$name: exit $rc, $(tail -n 1 /tmp/guest.err)"
	why=$(check_run)
	if [ -n "$why" ]; then
		echo "FAIL $name: $why" >> "$SUBRESULTS"
		return 1
	fi
	echo "PASS $name" >> "$SUBRESULTS"
}

# run_all_guests kvm|vmxlab: every manifest on /dev/kvm or /dev/vmxlab
# (its module loaded by the caller); fails the test if one failed.
run_all_guests() {
	local m failed=0
	DEVICE=$1
	need_tool
	ls "$GUESTS"/*.manifest > /dev/null 2>&1 ||
		fail "not run: no test guests in the initramfs (build them: make -C tests/guests)"
	[ -e "/dev/$DEVICE" ] || fail "/dev/$DEVICE is missing after loading its module"
	for m in "$GUESTS"/*.manifest; do
		run_guest "$m" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ] ||
		fail "$failed guest(s) failed on /dev/$DEVICE: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
}
