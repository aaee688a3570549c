# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --dump-setup: the descriptor tables and page tables the tool
# builds for each mode.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# expect_gdt_matches NAME FILE: each segment register of the dump equals
# the GDT descriptor its selector names (decoded here, independently).
expect_gdt_matches() {
	local err
	if err=$(python3 - "$2" 2>&1 <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
gdt = {int(m[1]): int(m[2], 16) for m in (re.match(r"gdt\[(\d+)\]=0x(\w+)$", l) for l in lines) if m}
seen = 0
for l in lines:
    m = re.match(r"(cs|ds|ss|tr): (.*)", l)
    if not m:
        continue
    seen += 1
    f = {k: int(v, 0) for k, v in (kv.split("=") for kv in m[2].split())}
    d = gdt[f["selector"] >> 3]
    g = d >> 55 & 1
    limit = (d & 0xffff) | (d >> 48 & 0xf) << 16
    got = dict(base=(d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24,
               limit=(limit << 12 | 0xfff) if g else limit,
               type=d >> 40 & 0xf, s=d >> 44 & 1, dpl=d >> 45 & 3,
               present=d >> 47 & 1, l=d >> 53 & 1, db=d >> 54 & 1, g=g)
    for k, v in got.items():
        assert f[k] == v, f"{m[1]}.{k}: sregs {f[k]:#x}, gdt {v:#x}"
assert seen == 4, f"{seen} segment lines"
PY
	); then
		pass "$1"
	else
		fail "$1" "$(echo "$err" | tail -n 1)"
	fi
}

# --dump-setup: the state run_setup.c gives the vCPU, values worked out
# by hand from the SDM (Vol. 3A: segment descriptors, 32-bit and 4-level
# paging).  If these fail, a guest starts in the wrong mode or faults.
test_run_setup() {
	local f
	f=$OUT/setup-long.out
	run setup-long run --dump-setup --mode long "$OUT/hlt.bin"
	expect_exit setup/long-exit 0 setup-long
	expect_line setup/long-crs "$f" "cr0=0x80010031 cr3=0xf1000 cr4=0x20 efer=0x500"
	expect_line setup/long-cs "$f" \
		"cs: selector=0x18 base=0x0 limit=0xffffffff type=11 present=1 dpl=0 db=0 s=1 l=1 g=1 avl=0 unusable=0"
	expect_line setup/long-ss "$f" \
		"ss: selector=0x10 base=0x0 limit=0xffffffff type=3 present=1 dpl=0 db=1 s=1 l=0 g=1 avl=0 unusable=0"
	expect_line setup/busy-tss "$f" \
		"tr: selector=0x20 base=0xf0100 limit=0x67 type=11 present=1 dpl=0 db=0 s=0 l=0 g=0 avl=0 unusable=0"
	expect_match setup/ldt-unusable "$f" '^ldt: .* unusable=1$'
	expect_line setup/gdt-code32 "$f" "gdt[1]=0x00cf9b000000ffff"
	expect_line setup/gdt-data "$f" "gdt[2]=0x00cf93000000ffff"
	expect_line setup/gdt-code64 "$f" "gdt[3]=0x00af9b000000ffff"
	expect_line setup/gdt-tss "$f" "gdt[4]=0x00008b0f01000067"
	expect_line setup/pml4 "$f" "pml4[0]=0x00000000000f2003 pml4[1]=0x0000000000000000"
	expect_line setup/pdpt3 "$f" "pdpt[3]=0x00000000000f6003"
	expect_line setup/pdpt4-empty "$f" "pdpt[4]=0x0000000000000000"
	expect_line setup/pd-2048 "$f" "pd: 2048 entries present"
	expect_line setup/pd-2m-pages "$f" \
		"pd0[0]=0x0000000000000083 pd0[1]=0x0000000000200083 pd3[511]=0x00000000ffe00083"
	expect_line setup/entry-stack "$f" "rip=0x1000 rsp=0x1000 rflags=0x2"
	f=$OUT/setup-paged.out
	run setup-paged run --dump-setup --mode paged --mem 128K "$OUT/hlt.bin"
	expect_line setup/paged-crs "$f" "cr0=0x80010031 cr3=0x11000 cr4=0x10 efer=0x0"
	expect_line setup/paged-cs "$f" \
		"cs: selector=0x8 base=0x0 limit=0xffffffff type=11 present=1 dpl=0 db=1 s=1 l=0 g=1 avl=0 unusable=0"
	expect_line setup/paged-pd "$f" "pd: 1024 entries present"
	expect_line setup/paged-4m-pages "$f" "pd[1023]=0xffc00083"
	expect_line setup/paged-tss-base "$f" "gdt[4]=0x00008b0101000067"
	f=$OUT/setup-prot.out
	run setup-prot run --dump-setup --mode protected "$OUT/hlt.bin"
	expect_line setup/protected-crs "$f" "cr0=0x31 cr3=0x0 cr4=0x0 efer=0x0"
	expect_count setup/protected-no-paging "$f" "pd" 0
	expect_gdt_matches setup/gdt-matches-sregs-long "$OUT/setup-long.out"
	expect_gdt_matches setup/gdt-matches-sregs-paged "$OUT/setup-paged.out"
}

run_cases() {
	test_run_setup
}
