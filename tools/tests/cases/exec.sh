# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab exec: COMMAND sees the device at /dev/kvm, the system does not.
# /dev/null stands in for /dev/vmxlab (any character device will do).
# Needs root for the mount namespace; without root, each check runs in a
# user namespace of its own (unshare -r), where the caller is root.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# as_root CMD...: CMD with the rights to make a mount namespace.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		unshare -r "$@"
	fi
}

# run_exec NAME ARGS...: vmxlab exec ARGS as root; output in $OUT/NAME.*.
run_exec() {
	local name=$1
	shift
	as_root "$VMXLAB" exec "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
	rc=$?
}

kvm_state() {
	stat -c '%F %t:%T %i' /dev/kvm 2>&1 || true
}

test_exec_binds_device() {
	local before
	before=$(kvm_state)
	run_exec exec-stat --device /dev/null -- stat -c '%t:%T' /dev/kvm
	expect_exit exec/command-status-0 0 exec-stat
	expect_line exec/device-at-dev-kvm "$OUT/exec-stat.out" "1:3"
	if [ "$(kvm_state)" = "$before" ]; then
		pass exec/system-dev-kvm-untouched
	else
		fail exec/system-dev-kvm-untouched "/dev/kvm was '$before', now '$(kvm_state)'"
	fi
	if ! grep -q ' /dev/kvm ' /proc/self/mountinfo; then
		pass exec/no-mount-left-outside
	else
		fail exec/no-mount-left-outside "/proc/self/mountinfo lists /dev/kvm"
	fi
}

test_exec_command() {
	run_exec exec-exit7 --device /dev/null -- sh -c 'exit 7'
	expect_exit exec/command-exit-status 7 exec-exit7
	# shellcheck disable=SC2016 # $1 is the command's own argument
	run_exec exec-args --device /dev/null -- sh -c 'echo "$1"' sh --device
	expect_line exec/command-keeps-its-options "$OUT/exec-args.out" "--device"
	run_exec exec-noexec --device /dev/null -- /nonexistent/command
	expect_exit exec/command-not-found-127 127 exec-noexec
	run_exec exec-nocmd --device /dev/null
	expect_exit exec/no-command-usage-2 2 exec-nocmd
}

test_exec_bad_device() {
	run_exec exec-nodev --device "$OUT/no-such-device" -- true
	expect_exit exec/missing-device-exit-3 3 exec-nodev
	expect_line exec/missing-device-says-load "$OUT/exec-nodev.err" \
		"vmxlab: $OUT/no-such-device not found: load vmxlab.ko first ('modprobe vmxlab', or 'insmod vmxlab.ko' from the build tree)"
	run_exec exec-notchr --device "$OUT/hlt.bin" -- true
	expect_exit exec/regular-file-exit-3 3 exec-notchr
	expect_line exec/regular-file-message "$OUT/exec-notchr.err" \
		"vmxlab: $OUT/hlt.bin is not a character device"
}

# Without the right to unshare: a clear message, nothing run.
test_exec_not_root() {
	local name=exec-notroot
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$VMXLAB" exec --device /dev/null -- touch "$OUT/ran" \
			> "$OUT/$name.out" 2> "$OUT/$name.err"
	else
		"$VMXLAB" exec --device /dev/null -- touch "$OUT/ran" \
			> "$OUT/$name.out" 2> "$OUT/$name.err"
	fi
	# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
	rc=$?
	expect_exit exec/not-root-exit-1 1 "$name"
	expect_line exec/not-root-message "$OUT/$name.err" \
		"vmxlab: exec: making a private mount namespace needs root (CAP_SYS_ADMIN): run 'sudo vmxlab exec ...'"
	if [ ! -e "$OUT/ran" ]; then
		pass exec/not-root-runs-nothing
	else
		fail exec/not-root-runs-nothing "the command ran"
	fi
}

# A system without /dev/kvm (kvm not loaded): a /dev of its own, made in
# an outer namespace here; the entries of the real /dev still there, and
# still no /dev/kvm outside afterwards.
test_exec_no_dev_kvm() {
	local name=exec-nokvm
	: > "$OUT/null"
	# shellcheck disable=SC2016 # expanded by the inner shell
	as_root unshare -m --propagation private sh -c '
		mount --bind /dev/null "$1/null" && mount -t tmpfs none /dev &&
		mkdir /dev/pts && echo kept > /dev/marker && ln -s /proc/self/fd /dev/fd &&
		"$2" exec --device "$1/null" -- sh -c "stat -c %t:%T /dev/kvm; cat /dev/marker; readlink /dev/fd" &&
		if [ -e /dev/kvm ]; then echo "outside: /dev/kvm exists"; else echo "outside: no /dev/kvm"; fi
	' sh "$OUT" "$VMXLAB" > "$OUT/$name.out" 2> "$OUT/$name.err"
	# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
	rc=$?
	expect_exit exec/no-dev-kvm-status-0 0 "$name"
	expect_line exec/no-dev-kvm-device-there "$OUT/$name.out" "1:3"
	expect_line exec/no-dev-kvm-dev-entries-kept "$OUT/$name.out" "kept"
	expect_line exec/no-dev-kvm-symlinks-kept "$OUT/$name.out" "/proc/self/fd"
	expect_line exec/no-dev-kvm-none-outside "$OUT/$name.out" "outside: no /dev/kvm"
}

run_cases() {
	test_exec_binds_device
	test_exec_command
	test_exec_bad_device
	test_exec_not_root
	test_exec_no_dev_kvm
}
