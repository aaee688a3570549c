#!/bin/sh
# machines: bochs-6.1
# Differential runs: every guest of the corpus (each /guests/*.manifest,
# its `guest` and `args`) runs on /dev/vmxlab and then on /dev/kvm, in
# this boot, through the same client (`vmxlab run --trace`), and what a
# user can observe must be the same on both:
#   stdout   byte for byte
#   exits    the exits reaching user space, in order, one record per
#            element: a port I/O exit with `count N` becomes N records
#            (so how a device splits a REP string instruction into exits
#            does not matter), an OUT with its data, an IN with port and
#            size only (its data is the tool's answer); MMIO with
#            direction, address, length and data; HLT, SHUTDOWN; each
#            with RIP as KVM_GET_REGS reports it at the exit
#   regs     the final `regs:` line(s), every register
#   end      the exit status and the tool's `vmxlab:` messages
# vmxlab's own lines (`  vmx exit:`, `vmx exits:`) and the summaries
# derived from the exits (`exits:`, `ports:`, `mmio:`) are left out.
# The tool prints the data of at most 8 elements per exit: an element
# past those is `data ?`, which matches any data on the other device.
#
# Not everything is deterministic, so not everything is compared:
#   - a guest stopped by a signal (manifest `signal ...`): the exits up to
#     the first KVM_EXIT_INTR only (how many times the signal lands in
#     KVM_RUN, and where, is timing);
#   - a guest with several vCPUs (`--vcpus N`): no exits at all (their
#     order across vCPUs, and how often a wait loop spins, is timing);
#     stdout, the end and every vCPU's final registers still are;
#   - a guest its manifest keeps off one device (`devices ...`): nothing.
#
# A disagreement fails `differential/GUEST` unless
# /lib/vmxlab-differences.txt (tests/machine/differences.txt) lists it,
# with its reason.  The FAIL line shows the first differing records.
# If this fails, vmxlab runs a guest differently from KVM, the reference:
# it decodes or completes an exit differently, reports another RIP or
# register, or answers CPUID, a control register or an MSR otherwise.
. /lib/vmxlab-test.sh
. /lib/vmxlab-guests.sh

DIFFERENCES=/lib/vmxlab-differences.txt
WORK=/tmp/differential

# A line on the serial console before each run, so that a run that hangs
# the machine (the test's own log is shown only once it ends) is named.
progress() {
	echo "<3>VMXLAB-PROGRESS differential: $*" > /dev/kmsg
}

# run_on DEVICE MANIFEST: run the guest on /dev/DEVICE into
# $WORK/DEVICE/NAME.{out,err,rc}; nothing if the manifest keeps it off.
run_on() {
	local name guest args sig devices base
	DEVICE=$1	# field() picks KEY-$DEVICE lines
	name=$(basename "$2" .manifest)
	devices=$(field devices "$2")
	case ${devices:-both} in
	both) ;;
	*) return 0 ;;
	esac
	guest=$(field guest "$2")
	args=$(field args "$2")
	sig=$(field signal "$2")
	base=$WORK/$1/$name
	progress "$name on /dev/$1"
	if [ -n "$sig" ]; then
		# shellcheck disable=SC2086 # args: several options
		timeout -s "${sig%% *}" -k 2 "${sig#* }" vmxlab run --device "/dev/$1" \
			--trace $args "$GUESTS/${guest:-$name}.bin" > "$base.out" 2> "$base.err"
	else
		# shellcheck disable=SC2086
		timeout -k 2 "$GUEST_TIMEOUT" vmxlab run --device "/dev/$1" \
			--trace $args "$GUESTS/${guest:-$name}.bin" > "$base.out" 2> "$base.err"
	fi
	echo $? > "$base.rc"
	echo "$name on /dev/$1: exit $(cat "$base.rc"), $(tail -n 1 "$base.err")"
}

# exit_records STOP_AT_INTR < TRACE: one record per element (see the top).
exit_records() {
	awk -v stop="$1" '
	/^(vcpu[0-9]+ )?exit: / {
		v = ""
		if ($1 ~ /^vcpu/) {
			v = $1 " "
			sub(/^vcpu[0-9]+ /, "")
		}
		rip = "rip " $NF
		if ($2 == "KVM_EXIT_IO") {
			# exit: KVM_EXIT_IO DIR port P size S count N data D1 .. [...] rip R
			for (i = 1; i <= $9; i++) {
				if ($3 == "in") {
					print v "io in port " $5 " size " $7 " " rip
					continue
				}
				d = (10 + i <= NF - 2 && $(10 + i) != "...") ? $(10 + i) : "?"
				print v "io out port " $5 " size " $7 " data " d " " rip
			}
		} else if ($2 == "KVM_EXIT_MMIO") {
			# exit: KVM_EXIT_MMIO DIR address A len L data D rip R
			print v "mmio " $3 " address " $5 " len " $7 " data " $9 " " rip
		} else if ($2 == "KVM_EXIT_INTR") {
			print v "intr"
			if (stop)
				exit
		} else {
			print v tolower(substr($2, 10)) " " rip
		}
	}'
}

# reg_records < TRACE: "[vcpuN ]name=value" for each register of the
# final regs lines (vCPU 0's, and with --vcpus the others', prefixed).
reg_records() {
	grep -E '^(vcpu[0-9]+ )?regs: ' | awk '{
		v = ($1 ~ /^vcpu/) ? $1 " " : ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /=/)
				print v $i
	}'
}

# differences NAME KIND: the patterns listed for NAME (or *) and KIND.
differences() {
	awk -v g="$1" -v k="$2" '
	/^[ \t]*(#|$)/ { next }
	($1 == g || $1 == "*") && $2 == k {
		p = $0
		sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", p)
		sub(/[ \t]+#[ \t].*$/, "", p)
		print p
	}' "$DIFFERENCES"
}

# apply NAME KIND FILE: drop (or for `rip`, blank the RIP of) the records
# of FILE that a listed difference covers; a listed difference that
# matches nothing is worth a note (stale, or the guest changed).
apply() {
	local name=$1 kind=$2 file=$3 p
	differences "$name" "$kind" > "$WORK/patterns"
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		grep -qE "$p" "$file" || note "$name: listed difference '$kind $p' matches nothing in $file"
		if [ "$kind" = rip ]; then
			awk -v p="$p" '$0 ~ p { sub(/ rip [^ ]*$/, " rip ?") } { print }' \
				"$file" > "$file.tmp"
		else
			grep -vE "$p" "$file" > "$file.tmp"
		fi
		mv "$file.tmp" "$file"
	done < "$WORK/patterns"
}

# compare WHAT A B: nothing if the record files agree (a `data ?` matches
# any data), else the first three differing records.
compare() {
	awk -v what="$1" '
	function wild(x, y) {
		if (x ~ / data \? /)
			sub(/ data [^ ]+ /, " data ? ", y)
		else if (y ~ / data \? /)
			sub(/ data [^ ]+ /, " data ? ", x)
		return x == y
	}
	FILENAME == ARGV[1] { a[++na] = $0; next }
	{ b[++nb] = $0 }
	END {
		n = na > nb ? na : nb
		for (i = 1; i <= n && shown < 3; i++) {
			x = i <= na ? a[i] : "(none)"
			y = i <= nb ? b[i] : "(none)"
			if (x == y || (i <= na && i <= nb && wild(x, y)))
				continue
			printf "%s %d: vmxlab \"%s\" kvm \"%s\"; ", what, i, x, y
			shown++
		}
		if (na != nb)
			printf "%s: %d on vmxlab, %d on kvm; ", what, na, nb
	}' "$2" "$3"
}

# judge MANIFEST: compare the two runs of one guest; one sub-result.
judge() {
	local name sig args vcpus d why="" kind c
	name=$(basename "$1" .manifest)
	# shellcheck disable=SC2034 # read by field() of vmxlab-guests.sh
	DEVICE=x	# field(): the plain keys
	if [ ! -f "$WORK/vmxlab/$name.rc" ] || [ ! -f "$WORK/kvm/$name.rc" ]; then
		note "$name: not compared: its manifest says 'devices $(field devices "$1")'"
		return 0
	fi
	sig=$(field signal "$1")
	args=$(field args "$1")
	vcpus=$(echo " $args " | sed -n 's/.* --vcpus \([0-9]*\) .*/\1/p')
	for d in vmxlab kvm; do
		mkdir -p "$WORK/$d/n"
		cp "$WORK/$d/$name.out" "$WORK/$d/n/stdout"
		if [ "${vcpus:-1}" -gt 1 ]; then
			: > "$WORK/$d/n/exits"
		else
			exit_records "${sig:+1}" < "$WORK/$d/$name.err" > "$WORK/$d/n/exits"
		fi
		reg_records < "$WORK/$d/$name.err" > "$WORK/$d/n/regs"
		{
			echo "status $(cat "$WORK/$d/$name.rc")"
			grep '^vmxlab: ' "$WORK/$d/$name.err"
		} > "$WORK/$d/n/end"
		apply "$name" stdout "$WORK/$d/n/stdout"
		apply "$name" exit "$WORK/$d/n/exits"
		apply "$name" rip "$WORK/$d/n/exits"
		apply "$name" regs "$WORK/$d/n/regs"
		apply "$name" end "$WORK/$d/n/end"
	done
	if ! cmp -s "$WORK/vmxlab/n/stdout" "$WORK/kvm/n/stdout"; then
		c=$(compare "stdout line" "$WORK/vmxlab/n/stdout" "$WORK/kvm/n/stdout")
		why="${c:-stdout: $(cmp "$WORK/vmxlab/n/stdout" "$WORK/kvm/n/stdout" 2>&1)}"
	fi
	for kind in exits regs end; do
		c=$(compare "$kind" "$WORK/vmxlab/n/$kind" "$WORK/kvm/n/$kind")
		why="$why$c"
	done
	if [ -n "$why" ]; then
		echo "FAIL $name: $why" >> "$SUBRESULTS"
		echo "FAIL $name: $why"
		return 1
	fi
	echo "PASS $name" >> "$SUBRESULTS"
	note "$name: same on both: $(wc -l < "$WORK/kvm/n/exits") exit records, $(wc -c < "$WORK/kvm/n/stdout") bytes of stdout"
}

# Every entry of the table has a reason: `GUEST KIND PATTERN  # reason`.
check_differences() {
	local bad
	[ -f "$DIFFERENCES" ] || fail "$DIFFERENCES missing from the initramfs"
	# (In grep's brackets \t is a backslash and a t: [[:blank:]] is space or tab.)
	bad=$(grep -vE '^[[:blank:]]*(#|$)' "$DIFFERENCES" |
		grep -vE '^[^[:blank:]]+[[:blank:]]+(stdout|exit|rip|regs|end)[[:blank:]]+[^[:blank:]#].*[[:blank:]]#[[:blank:]]+[^[:blank:]]' |
		head -n 1)
	[ -z "$bad" ] || fail "$DIFFERENCES: not 'GUEST KIND PATTERN  # reason': $bad"
}

need_tool
check_differences
ls "$GUESTS"/*.manifest > /dev/null 2>&1 ||
	fail "not run: no test guests in the initramfs (build them: make -C tests/guests)"
rm -rf "$WORK"
mkdir -p "$WORK/vmxlab" "$WORK/kvm"

# vmxlab first, then KVM: kvm_intel on 6.1 holds VMX only while a VM
# exists, but vmxlab is simply unloaded before kvm_intel loads.
load_vmxlab
for m in "$GUESTS"/*.manifest; do
	run_on vmxlab "$m"
done
out=$(rmmod vmxlab 2>&1) || fail "rmmod vmxlab after the guests: $out"
load_kvm
for m in "$GUESTS"/*.manifest; do
	run_on kvm "$m"
done

failed=0
for m in "$GUESTS"/*.manifest; do
	judge "$m" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] ||
	fail "$failed guest(s) differ between /dev/vmxlab and /dev/kvm: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
