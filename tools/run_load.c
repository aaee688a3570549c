// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the guest image into guest memory.
 *
 * A file that starts with the ELF magic is an ELF executable: each
 * PT_LOAD segment goes to its physical address (p_paddr: the guest runs
 * with flat segments and identity paging, so that is where its code
 * expects to be), zero-filled from p_filesz to p_memsz, and the vCPU
 * starts at e_entry.  Anything else is a flat binary, loaded and started
 * at 0x1000.  Either way nothing may land where the guest cannot reach it
 * in its mode, or on the tool's own tables.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "vmxlab.h"

/* A file larger than guest memory plus this much cannot be a guest. */
#define FILE_SLACK	(16UL << 20)

struct image_file {
	const char *path;
	const uint8_t *data;
	size_t size;
};

/* One PT_LOAD segment, ELF32 or ELF64 alike. */
struct load_segment {
	uint64_t offset;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

/* Where the image may go: below the reserved region, or 64 KiB in real mode. */
static uint64_t load_limit(const struct vm *vm)
{
	return reserved_base(vm);
}

/* Copy [src, src + filesz) to @paddr and zero up to @memsz; checked before. */
static void place(struct vm *vm, const struct image_file *f,
		  const struct load_segment *seg)
{
	memcpy(vm->mem + seg->paddr, f->data + seg->offset, seg->filesz);
	memset(vm->mem + seg->paddr + seg->filesz, 0, seg->memsz - seg->filesz);
	if (seg->paddr < vm->image.low)
		vm->image.low = seg->paddr;
	if (seg->paddr + seg->memsz > vm->image.high)
		vm->image.high = seg->paddr + seg->memsz;
}

static int check_segment(const struct vm *vm, const struct image_file *f,
			 unsigned int i, const struct load_segment *seg)
{
	uint64_t limit = load_limit(vm);

	if (seg->filesz > seg->memsz || seg->offset > f->size ||
	    seg->filesz > f->size - seg->offset) {
		error_msg("the guest %s: ELF segment %u is damaged (file bytes 0x%" PRIx64 "+0x%" PRIx64 " in a file of 0x%zx, memory size 0x%" PRIx64 ")",
			  f->path, i, seg->offset, seg->filesz, f->size, seg->memsz);
		return EXIT_FAILED;
	}
	if (seg->paddr >= vm->mem_size || seg->memsz > vm->mem_size - seg->paddr) {
		error_msg("the guest %s: ELF segment %u at 0x%" PRIx64 "-0x%" PRIx64 " lies outside guest memory (0-0x%zx; see --mem)",
			  f->path, i, seg->paddr, seg->paddr + seg->memsz - 1,
			  vm->mem_size - 1);
		return EXIT_FAILED;
	}
	if (seg->paddr + seg->memsz > limit) {
		error_msg("the guest %s: ELF segment %u at 0x%" PRIx64 "-0x%" PRIx64 " overlaps the top 64 KiB of guest memory (0x%" PRIx64 "-0x%zx), where the tool keeps its descriptor and page tables",
			  f->path, i, seg->paddr, seg->paddr + seg->memsz - 1,
			  limit, vm->mem_size - 1);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int load_segment(struct vm *vm, const struct image_file *f,
			unsigned int i, const struct load_segment *seg)
{
	if (!seg->memsz)
		return EXIT_OK;
	if (check_segment(vm, f, i, seg))
		return EXIT_FAILED;
	place(vm, f, seg);
	vm->image.segments++;
	return EXIT_OK;
}

/* The program headers, in either class; @phoff etc. already checked. */
static int load_phdrs(struct vm *vm, const struct image_file *f, bool is64,
		      uint64_t phoff, unsigned int phnum)
{
	struct load_segment seg;
	unsigned int i;
	int status;

	for (i = 0; i < phnum; i++) {
		if (is64) {
			Elf64_Phdr ph;

			memcpy(&ph, f->data + phoff + i * sizeof(ph), sizeof(ph));
			if (ph.p_type != PT_LOAD)
				continue;
			seg = (struct load_segment){ ph.p_offset, ph.p_paddr,
						     ph.p_filesz, ph.p_memsz };
		} else {
			Elf32_Phdr ph;

			memcpy(&ph, f->data + phoff + i * sizeof(ph), sizeof(ph));
			if (ph.p_type != PT_LOAD)
				continue;
			seg = (struct load_segment){ ph.p_offset, ph.p_paddr,
						     ph.p_filesz, ph.p_memsz };
		}
		status = load_segment(vm, f, i, &seg);
		if (status)
			return status;
	}
	return EXIT_OK;
}

/*
 * The ELF header: little-endian x86 (EM_386 for ELF32, EM_X86_64 for
 * ELF64), an executable, program headers inside the file.
 */
static int load_elf(struct vm *vm, const struct image_file *f)
{
	const unsigned char *id = f->data;
	bool is64 = id[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, entry;
	unsigned int phnum, phentsize, machine, type;

	if ((id[EI_CLASS] != ELFCLASS32 && !is64) || id[EI_DATA] != ELFDATA2LSB ||
	    f->size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		error_msg("the guest %s is an ELF file, but not a little-endian ELF32 or ELF64 one", f->path);
		return EXIT_FAILED;
	}
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, f->data, sizeof(eh));
		machine = eh.e_machine, type = eh.e_type, entry = eh.e_entry;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, f->data, sizeof(eh));
		machine = eh.e_machine, type = eh.e_type, entry = eh.e_entry;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	}
	if (machine != (is64 ? EM_X86_64 : EM_386)) {
		error_msg("the guest %s is an ELF%d file for machine %u, not x86 (%s)",
			  f->path, is64 ? 64 : 32, machine,
			  is64 ? "EM_X86_64 = 62" : "EM_386 = 3");
		return EXIT_FAILED;
	}
	if (type != ET_EXEC) {
		error_msg("the guest %s is not an ELF executable (e_type %u; link it with a fixed address)",
			  f->path, type);
		return EXIT_FAILED;
	}
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    phoff > f->size || (uint64_t)phnum * phentsize > f->size - phoff) {
		error_msg("the guest %s: its ELF program headers are damaged", f->path);
		return EXIT_FAILED;
	}
	vm->image.elf = true;
	vm->image.entry = entry;
	if (load_phdrs(vm, f, is64, phoff, phnum))
		return EXIT_FAILED;
	if (!vm->image.segments) {
		error_msg("the guest %s has no PT_LOAD segment: nothing to run", f->path);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* A flat binary at 0x1000, ending below 64 KiB or the reserved region. */
static int load_flat(struct vm *vm, const struct image_file *f)
{
	uint64_t limit = load_limit(vm);
	struct load_segment seg = { 0, GUEST_LOAD_ADDRESS, f->size, f->size };

	if (vm->mode == MODE_REAL && limit > GUEST_CODE_LIMIT)
		limit = GUEST_CODE_LIMIT;
	if (!f->size || f->size > limit - GUEST_LOAD_ADDRESS) {
		error_msg("the guest %s must be a non-empty file of at most %" PRIu64 " bytes (it is loaded at 0x%x and must end below 0x%" PRIx64 "%s)",
			  f->path, limit - GUEST_LOAD_ADDRESS, GUEST_LOAD_ADDRESS, limit,
			  vm->mode == MODE_REAL ? "" : ", where the tool's tables start");
		return EXIT_FAILED;
	}
	vm->image.entry = GUEST_LOAD_ADDRESS;
	place(vm, f, &seg);
	return EXIT_OK;
}

/* The entry must be where the mode can start: 16 bits of IP in real mode. */
static int check_entry(const struct vm *vm, const char *path)
{
	uint64_t entry = vm->image.entry;

	if (vm->mode == MODE_REAL && entry >= GUEST_CODE_LIMIT) {
		error_msg("the guest %s starts at 0x%" PRIx64 ": real mode starts below 0x%x (CS = 0)",
			  path, entry, GUEST_CODE_LIMIT);
		return EXIT_FAILED;
	}
	if (entry >= vm->mem_size) {
		error_msg("the guest %s starts at 0x%" PRIx64 ", outside guest memory (0-0x%zx)",
			  path, entry, vm->mem_size - 1);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int read_file(const char *path, uint8_t **data, size_t *size, size_t max)
{
	struct stat st;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		error_msg("cannot read the guest %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		error_msg("the guest %s must be a regular file smaller than guest memory", path);
		goto fail;
	}
	*size = st.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data) {
		error_msg("cannot read the guest %s: out of memory", path);
		goto fail;
	}
	got = read(fd, *data, *size);
	if (got != (ssize_t)*size) {
		error_msg("cannot read the guest %s: %s", path,
			  got < 0 ? strerror(errno) : "short read");
		free(*data);
		goto fail;
	}
	close(fd);
	return EXIT_OK;
fail:
	if (fd >= 0)
		close(fd);
	return EXIT_FAILED;
}

int load_guest(struct vm *vm, const char *path)
{
	struct image_file f = { .path = path };
	uint8_t *data;
	int status;

	status = read_file(path, &data, &f.size, vm->mem_size + FILE_SLACK);
	if (status)
		return status;
	f.data = data;
	vm->image = (struct guest_image){ .low = UINT64_MAX };
	if (f.size >= SELFMAG && !memcmp(f.data, ELFMAG, SELFMAG))
		status = load_elf(vm, &f);
	else
		status = load_flat(vm, &f);
	free(data);
	if (!status)
		status = check_entry(vm, path);
	return status;
}
