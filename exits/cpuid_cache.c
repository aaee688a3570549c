// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for vmxlab guests: the per-vCPU table behind every CPUID exit
 * (KVM_SET_CPUID2), with the meaning of the KVM API documentation
 * ("KVM_SET_CPUID2") and the leaves of SDM Vol. 2A, "CPUID--CPU
 * Identification".  The table user space starts from,
 * KVM_GET_SUPPORTED_CPUID, is in cpuid_supported.c.
 *
 * Pure logic: the host's CPUID is the caller's cpuid_host_fn, so this file
 * is built into the module and into the host unit tests unchanged.
 */
#include <vmxlab/cpuid.h>

#define B(n)			(1u << (n))

/* cpuid_fast_entry()'s slot, to fill: the cache is ours here. */
static struct cpuid_fast *cpuid_fast_slot(struct cpuid_cache *c, u32 leaf)
{
	return (struct cpuid_fast *)cpuid_fast_entry(c, leaf);
}

static void cpuid_fast_fill(struct cpuid_fast *f, const struct kvm_cpuid_entry2 *e)
{
	if (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) {
		f->state = CPUID_FAST_INDEXED;
		f->regs[0] = f->regs[1] = f->regs[2] = f->regs[3] = 0;
		return;
	}
	f->state = CPUID_FAST_DIRECT;
	f->regs[0] = e->eax;
	f->regs[1] = e->ebx;
	f->regs[2] = e->ecx;
	f->regs[3] = e->edx;
}

/* Rebuild everything derived from entries[]. */
static void cpuid_cache_index(struct cpuid_cache *c)
{
	const struct kvm_cpuid_entry2 *e;
	struct cpuid_fast *f;
	unsigned int i;

	for (i = 0; i < CPUID_FAST_BASIC; i++)
		c->basic[i].state = CPUID_FAST_ABSENT;
	for (i = 0; i < CPUID_FAST_HYPER; i++)
		c->hyper[i].state = CPUID_FAST_ABSENT;
	for (i = 0; i < CPUID_FAST_EXT; i++)
		c->ext[i].state = CPUID_FAST_ABSENT;
	for (i = 0; i < c->nent; i++) {
		f = cpuid_fast_slot(c, c->entries[i].function);
		if (f)
			cpuid_fast_fill(f, &c->entries[i]);
	}

	e = cpuid_cache_find(c, 0, 0);
	c->max_basic = e ? e->eax : 0;
	c->intel = e && e->ebx == CPUID_INTEL_EBX && e->edx == CPUID_INTEL_EDX &&
		   e->ecx == CPUID_INTEL_ECX;
	e = cpuid_cache_find(c, 0x80000000, 0);
	c->max_ext = e ? e->eax : 0;
}

int cpuid_cache_set(struct cpuid_cache *c, const struct kvm_cpuid_entry2 *e,
		    unsigned int nent)
{
	unsigned int i, j;

	if (nent > CPUID_MAX_ENTRIES)
		return -E2BIG;
	for (i = 0; i < nent; i++) {
		if (e[i].flags & ~CPUID_KNOWN_FLAGS)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (cpuid_entries_clash(&e[i], &e[j]))
				return -EINVAL;
	}
	for (i = 0; i < nent; i++)
		c->entries[i] = e[i];
	c->nent = nent;
	cpuid_cache_index(c);
	c->apic_offered = false;
	for (i = 0; i < nent; i++)
		if (e[i].function == 1 && (e[i].edx & CPUID_1_EDX_APIC))
			c->apic_offered = true;
	return 0;
}

const struct kvm_cpuid_entry2 *cpuid_cache_find(const struct cpuid_cache *c,
						u32 function, u32 index)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/*
 * Whether @leaf lies above the maximum of its range, KVM's reading of the
 * SDM rule: a hypervisor leaf 0x4000xx00..0x4000xxff against its range's
 * first leaf, 0xC0000000 and up against 0xC0000000, 0x80000000 and up
 * against 0x80000000, the rest against leaf 0.  A missing range leaf puts
 * every leaf of the range out of range.
 */
static bool cpuid_out_of_range(const struct cpuid_cache *c, u32 leaf)
{
	const struct kvm_cpuid_entry2 *range;

	if (leaf >= 0x40000000 && leaf <= 0x4fffffff)
		range = cpuid_cache_find(c, leaf & 0xffffff00, 0);
	else if (leaf >= 0xc0000000)
		range = cpuid_cache_find(c, 0xc0000000, 0);
	else if (leaf >= 0x80000000)
		return leaf > c->max_ext;	/* 0 when absent */
	else
		return leaf > c->max_basic;
	return !range || leaf > range->eax;
}

void cpuid_cache_lookup_slow(const struct cpuid_cache *c, u32 leaf, u32 subleaf,
			     u32 regs[4])
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(c, leaf, subleaf);

	if (!e && c->intel && cpuid_out_of_range(c, leaf)) {
		/* The subleaf asked for still selects within the highest basic leaf. */
		leaf = c->max_basic;
		e = cpuid_cache_find(c, leaf, subleaf);
	}
	if (e) {
		regs[0] = e->eax;
		regs[1] = e->ebx;
		regs[2] = e->ecx;
		regs[3] = e->edx;
		return;
	}
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
	/*
	 * Past the last level of leaf 0xB or 0x1F the CPU still returns the
	 * input ECX[7:0] in ECX[7:0] and the x2APIC ID in EDX (SDM Vol. 2A,
	 * leaves 0BH and 1FH).  Subleaf 1 exists whenever the leaf does.
	 */
	if (leaf == 0xb || leaf == 0x1f) {
		e = cpuid_cache_find(c, leaf, 1);
		if (e) {
			regs[CPUID_REG_ECX] = subleaf & 0xff;
			regs[CPUID_REG_EDX] = e->edx;
		}
	}
}

bool cpuid_cache_has_xsave(const struct cpuid_cache *c)
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(c, 1, 0);

	return e && (e->ecx & CPUID_1_ECX_XSAVE);
}

unsigned int cpuid_cache_maxphyaddr(const struct cpuid_cache *c)
{
	const struct kvm_cpuid_entry2 *e;

	if (c->max_ext >= 0x80000008) {
		e = cpuid_cache_find(c, 0x80000008, 0);
		if (e)
			return e->eax & 0xff;
	}
	e = cpuid_cache_find(c, 1, 0);
	return e && (e->edx & CPUID_1_EDX_PAE) ? 36 : 32;
}

static void cpuid_assign_bit(u32 *reg, u32 bit, bool on)
{
	if (on)
		*reg |= bit;
	else
		*reg &= ~bit;
}

/*
 * Bytes of an XSAVE area for the components of @xcr0: the legacy region
 * and header, then each enabled component 2..63 where the host's leaf
 * 0DH subleaf puts it (EBX: offset in the standard format; ECX[1]:
 * 64-byte aligned in the compacted one; EAX: size).  SDM Vol. 1, "XSAVE
 * Area" and "Compacted Form of the XSAVE Area".
 */
static u32 xsave_area_size(u64 xcr0, bool compacted, cpuid_host_fn host, void *ctx)
{
	u32 size = XSAVE_LEGACY_AND_HEADER, r[4];
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		r[0] = r[1] = r[2] = r[3] = 0;
		host(ctx, 0xd, i, r);
		if (compacted) {
			if (r[CPUID_REG_ECX] & B(1))
				size = (size + 63) & ~63u;
			size += r[CPUID_REG_EAX];
		} else if (r[CPUID_REG_EBX] + r[CPUID_REG_EAX] > size) {
			size = r[CPUID_REG_EBX] + r[CPUID_REG_EAX];
		}
	}
	return size;
}

static void update_entry(struct cpuid_cache *c, struct kvm_cpuid_entry2 *e,
			 const struct cpuid_guest_state *s, cpuid_host_fn host, void *ctx)
{
	bool indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

	switch (e->function) {
	case 1:
		cpuid_assign_bit(&e->ecx, CPUID_1_ECX_OSXSAVE,
			   s->cr4_osxsave && (e->ecx & CPUID_1_ECX_XSAVE));
		cpuid_assign_bit(&e->edx, CPUID_1_EDX_APIC, s->apic_enabled && c->apic_offered);
		break;
	case 7:
		if (!indexed || e->index == 0)
			cpuid_assign_bit(&e->ecx, CPUID_7_0_ECX_OSPKE,
				   s->cr4_pke && (e->ecx & CPUID_7_0_ECX_PKU));
		break;
	case 0xd:
		if (!indexed || e->index == 0)
			e->ebx = xsave_area_size(s->xcr0, false, host, ctx);
		else if (e->index == 1 &&
			 (e->eax & (CPUID_D_1_EAX_XSAVEC | CPUID_D_1_EAX_XSAVES)))
			e->ebx = xsave_area_size(s->xcr0, true, host, ctx);
		break;
	default:
		return;
	}
	cpuid_fast_fill(&c->basic[e->function], e);
}

void cpuid_cache_update(struct cpuid_cache *c, const struct cpuid_guest_state *s,
			cpuid_host_fn host, void *ctx)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		update_entry(c, &c->entries[i], s, host, ctx);
}
