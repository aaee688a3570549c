// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the vCPU starts already in the mode asked for, with flat
 * segments, so a test guest needs no boot code of its own.
 *
 * Outside real mode the tool writes its tables into the top 64 KiB of
 * guest memory (R = memory size - 64 KiB):
 *   R + 0x0000  GDT: 0x08 32-bit code, 0x10 data, 0x18 64-bit code,
 *               0x20 the TSS (16 bytes: a system descriptor in IA-32e mode)
 *   R + 0x0100  the TSS (104 bytes of zeros; no I/O bitmap)
 *   R + 0x0800  IDTR's base, limit 0: no IDT, so an exception triple-faults
 *               until the guest loads an IDT of its own
 *   R + 0x1000  paged: the page directory; long: the PML4
 *   R + 0x2000  long: the PDPT
 *   R + 0x3000  long: four page directories (R + 0x3000 .. R + 0x6fff)
 * The segment registers get the very values the GDT holds, in the form
 * KVM_SET_SREGS takes (struct kvm_segment, limit in bytes).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "vmxlab.h"

#define GDT_OFFSET		0x0000
#define TSS_OFFSET		0x0100
#define IDT_OFFSET		0x0800
#define PAGING_OFFSET		0x1000	/* page directory or PML4 */
#define PDPT_OFFSET		0x2000
#define PD_OFFSET		0x3000	/* long mode: 4 PDs follow */

#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define SEL_TSS			0x20
#define GDT_ENTRIES		6	/* null, 3 segments, the TSS's 16 bytes */

#define TSS_LIMIT		0x67	/* 104 bytes: the 32/64-bit TSS */

/* Segment types (SDM Vol. 3A, "Segment Descriptor Types"). */
#define SEG_TYPE_DATA_RW_A	3	/* read/write, accessed */
#define SEG_TYPE_CODE_RX_A	11	/* execute/read, accessed */
#define SEG_TYPE_TSS_BUSY	11	/* busy 32/64-bit TSS (S = 0) */
#define SEG_TYPE_LDT		2

/* CR0, CR4 and EFER bits (SDM Vol. 3A, "Control Registers"). */
#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_WP			(1ULL << 16)
#define CR0_PG			(1ULL << 31)
#define CR4_PSE			(1ULL << 4)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

/* Paging-structure entry bits (SDM Vol. 3A, "Paging"). */
#define PTE_P			(1ULL << 0)
#define PTE_RW			(1ULL << 1)
#define PTE_PS			(1ULL << 7)

#define PD32_ENTRIES		1024	/* 4 MiB each: 4 GiB */
#define PD64_ENTRIES		512	/* 2 MiB each: 1 GiB per PD */
#define LONG_PDS		4	/* the first 4 GiB */

static const char *const mode_names[] = {
	[MODE_REAL] = "real",
	[MODE_PROTECTED] = "protected",
	[MODE_PAGED] = "paged",
	[MODE_LONG] = "long",
};

const char *mode_name(enum run_mode mode)
{
	return mode_names[mode];
}

uint64_t reserved_base(const struct vm *vm)
{
	if (vm->mode == MODE_REAL)
		return vm->mem_size;
	return vm->mem_size - RESERVED_SIZE;
}

/* A flat 4 GiB code or data segment, as KVM_SET_SREGS takes it. */
static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,	/* bytes: 0xfffff pages with g = 1 */
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = !code64,		/* D must be 0 when L is 1 */
		.s = 1,
		.l = code64,
		.g = 1,
	};
}

/*
 * TR must hold a busy 32/64-bit TSS with a usable limit for VM entry
 * (SDM Vol. 3C, "Checks on Guest Segment Registers"), even though the
 * guest never switches tasks.
 */
static struct kvm_segment tss_segment(uint64_t base)
{
	return (struct kvm_segment){
		.base = base,
		.limit = TSS_LIMIT,
		.selector = SEL_TSS,
		.type = SEG_TYPE_TSS_BUSY,
		.present = 1,
	};
}

/* The 8-byte descriptor that holds @seg (SDM Vol. 3A, "Segment Descriptors"). */
static uint64_t descriptor(const struct kvm_segment *seg)
{
	uint64_t limit = seg->g ? seg->limit >> 12 : seg->limit;
	uint64_t d;

	d = (limit & 0xffff) | ((seg->base & 0xffffff) << 16);
	d |= (uint64_t)(seg->type & 0xf) << 40;
	d |= (uint64_t)seg->s << 44 | (uint64_t)(seg->dpl & 3) << 45;
	d |= (uint64_t)seg->present << 47;
	d |= ((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)seg->avl << 52 | (uint64_t)seg->l << 53;
	d |= (uint64_t)seg->db << 54 | (uint64_t)seg->g << 55;
	d |= ((seg->base >> 24) & 0xff) << 56;
	return d;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));	/* x86 guests: little-endian, as the host */
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void write_gdt(struct vm *vm, uint8_t *gdt)
{
	struct kvm_segment code32 = flat_segment(SEL_CODE32, SEG_TYPE_CODE_RX_A, false);
	struct kvm_segment data = flat_segment(SEL_DATA, SEG_TYPE_DATA_RW_A, false);
	struct kvm_segment code64 = flat_segment(SEL_CODE64, SEG_TYPE_CODE_RX_A, true);
	struct kvm_segment tss = tss_segment(reserved_base(vm) + TSS_OFFSET);

	memset(gdt, 0, GDT_ENTRIES * 8);
	put64(gdt + SEL_CODE32, descriptor(&code32));
	put64(gdt + SEL_DATA, descriptor(&data));
	put64(gdt + SEL_CODE64, descriptor(&code64));
	put64(gdt + SEL_TSS, descriptor(&tss));
	/* In IA-32e mode a TSS descriptor has 16 bytes: base 63:32 is 0. */
	put64(gdt + SEL_TSS + 8, 0);
}

/* 32-bit paging with CR4.PSE: one page directory of 4 MiB pages. */
static void write_pd32(uint8_t *pd)
{
	uint64_t i;

	for (i = 0; i < PD32_ENTRIES; i++) {
		uint32_t pde = (uint32_t)(i << 22) | PTE_PS | PTE_RW | PTE_P;

		memcpy(pd + i * 4, &pde, 4);
	}
}

/* 4-level paging: PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB pages. */
static void write_long_tables(uint64_t base, uint8_t *mem)
{
	uint64_t i;

	memset(mem + PAGING_OFFSET, 0, 0x1000);
	memset(mem + PDPT_OFFSET, 0, 0x1000);
	put64(mem + PAGING_OFFSET, (base + PDPT_OFFSET) | PTE_RW | PTE_P);
	for (i = 0; i < LONG_PDS; i++)
		put64(mem + PDPT_OFFSET + i * 8,
		      (base + PD_OFFSET + i * 0x1000) | PTE_RW | PTE_P);
	for (i = 0; i < LONG_PDS * PD64_ENTRIES; i++)
		put64(mem + PD_OFFSET + i * 8, (i << 21) | PTE_PS | PTE_RW | PTE_P);
}

void setup_tables(struct vm *vm)
{
	uint64_t base = reserved_base(vm);
	uint8_t *r = vm->mem + base;

	if (vm->mode == MODE_REAL)
		return;
	memset(r, 0, RESERVED_SIZE);
	write_gdt(vm, r + GDT_OFFSET);
	if (vm->mode == MODE_PAGED)
		write_pd32(r + PAGING_OFFSET);
	else if (vm->mode == MODE_LONG)
		write_long_tables(base, r);
}

/* Real mode: every segment at 0 (KVM's reset state otherwise). */
static void setup_real(struct kvm_sregs *sregs)
{
	struct kvm_segment *segs[] = {
		&sregs->cs, &sregs->ds, &sregs->es,
		&sregs->fs, &sregs->gs, &sregs->ss,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->selector = 0;
		segs[i]->base = 0;
	}
}

void setup_sregs(const struct vm *vm, struct kvm_sregs *sregs)
{
	uint64_t base = reserved_base(vm);
	bool lm = vm->mode == MODE_LONG;

	if (vm->mode == MODE_REAL) {
		setup_real(sregs);
		return;
	}
	sregs->cs = flat_segment(lm ? SEL_CODE64 : SEL_CODE32, SEG_TYPE_CODE_RX_A, lm);
	sregs->ds = flat_segment(SEL_DATA, SEG_TYPE_DATA_RW_A, false);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	sregs->tr = tss_segment(base + TSS_OFFSET);
	sregs->ldt = (struct kvm_segment){ .type = SEG_TYPE_LDT, .unusable = 1 };
	sregs->gdt.base = base + GDT_OFFSET;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->idt.base = base + IDT_OFFSET;
	sregs->idt.limit = 0;
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	if (vm->mode == MODE_PAGED) {
		sregs->cr4 = CR4_PSE;
		sregs->cr3 = base + PAGING_OFFSET;
		sregs->cr0 |= CR0_PG | CR0_WP;
	} else if (lm) {
		sregs->cr4 = CR4_PAE;
		sregs->cr3 = base + PAGING_OFFSET;
		sregs->efer = EFER_LME | EFER_LMA;
		sregs->cr0 |= CR0_PG | CR0_WP;
	}
}

/* Every vCPU starts at the entry; RBX tells it which one it is. */
void setup_regs(const struct vm *vm, unsigned int id, struct kvm_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = vm->image.entry;
	regs->rsp = GUEST_STACK_TOP;
	regs->rbx = id;
	regs->rflags = 0x2;	/* bit 1 is always 1 */
}

static void dump_segment(const char *name, const struct kvm_segment *s)
{
	printf("%s: selector=0x%x base=0x%llx limit=0x%x type=%u present=%u dpl=%u db=%u s=%u l=%u g=%u avl=%u unusable=%u\n",
	       name, s->selector, (unsigned long long)s->base, s->limit, s->type,
	       s->present, s->dpl, s->db, s->s, s->l, s->g, s->avl, s->unusable);
}

static void dump_paging(const struct vm *vm)
{
	const uint8_t *r = vm->mem + reserved_base(vm);
	unsigned int i, n = 0;
	uint32_t pde;

	if (vm->mode == MODE_PAGED) {
		for (i = 0; i < PD32_ENTRIES; i++) {
			memcpy(&pde, r + PAGING_OFFSET + i * 4, 4);
			n += pde & PTE_P;
		}
		printf("pd: %u entries present\n", n);
		for (i = 0; i < PD32_ENTRIES; i += PD32_ENTRIES - 1) {
			memcpy(&pde, r + PAGING_OFFSET + i * 4, 4);
			printf("pd[%u]=0x%08x\n", i, pde);
		}
		return;
	}
	for (i = 0; i < LONG_PDS * PD64_ENTRIES; i++)
		n += get64(r + PD_OFFSET + i * 8) & PTE_P;
	printf("pml4[0]=0x%016" PRIx64 " pml4[1]=0x%016" PRIx64 "\n",
	       get64(r + PAGING_OFFSET), get64(r + PAGING_OFFSET + 8));
	for (i = 0; i <= LONG_PDS; i++)
		printf("pdpt[%u]=0x%016" PRIx64 "\n", i, get64(r + PDPT_OFFSET + i * 8));
	printf("pd: %u entries present\n", n);
	printf("pd0[0]=0x%016" PRIx64 " pd0[1]=0x%016" PRIx64 " pd3[511]=0x%016" PRIx64 "\n",
	       get64(r + PD_OFFSET), get64(r + PD_OFFSET + 8),
	       get64(r + PD_OFFSET + (LONG_PDS * PD64_ENTRIES - 1) * 8));
}

/*
 * The state a vCPU would start in, from the same code that sets it, for
 * the tool tests (which cannot run a guest on a host without VT-x).
 */
void dump_setup(const struct vm *vm)
{
	const uint8_t *r = vm->mem + reserved_base(vm);
	struct kvm_sregs sregs = { 0 };
	struct kvm_regs regs;
	unsigned int i;

	setup_sregs(vm, &sregs);
	setup_regs(vm, 0, &regs);
	printf("mode: %s\n", mode_name(vm->mode));
	printf("memory: 0x%zx reserved: 0x%" PRIx64 "\n", vm->mem_size, reserved_base(vm));
	printf("image: %s 0x%" PRIx64 "-0x%" PRIx64 " entry 0x%" PRIx64 "\n",
	       vm->image.elf ? "elf" : "flat", vm->image.low, vm->image.high,
	       vm->image.entry);
	printf("rip=0x%llx rsp=0x%llx rflags=0x%llx\n", (unsigned long long)regs.rip,
	       (unsigned long long)regs.rsp, (unsigned long long)regs.rflags);
	if (vm->mode == MODE_REAL) {
		printf("segments: selector=0x0 base=0x0 (the rest: the device's reset state)\n");
		return;
	}
	printf("cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx\n",
	       (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
	       (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer);
	dump_segment("cs", &sregs.cs);
	dump_segment("ds", &sregs.ds);
	dump_segment("ss", &sregs.ss);
	dump_segment("tr", &sregs.tr);
	dump_segment("ldt", &sregs.ldt);
	printf("gdt: base=0x%llx limit=0x%x\n", (unsigned long long)sregs.gdt.base,
	       sregs.gdt.limit);
	printf("idt: base=0x%llx limit=0x%x\n", (unsigned long long)sregs.idt.base,
	       sregs.idt.limit);
	for (i = 0; i < GDT_ENTRIES; i++)
		printf("gdt[%u]=0x%016" PRIx64 "\n", i, get64(r + GDT_OFFSET + i * 8));
	if (vm->mode != MODE_PROTECTED)
		dump_paging(vm);
}
