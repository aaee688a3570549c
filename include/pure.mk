# SPDX-License-Identifier: GPL-2.0
#
# The module's pure sources: C files with no kernel calls (include/vmxlab/
# types.h is their only seam), compiled unchanged into vmxlab.ko, into the
# tool and into the host unit tests.  This is the one place that says which
# files those are; tools/Makefile, tools/tests/Makefile and
# tests/unit/Makefile include it.
#
# Paths are relative to VMXLAB_TOP, the repository root.  A user builds
# them with one pattern rule, e.g.
#   $(OBJDIR)/%.o: $(VMXLAB_TOP)/%.c
# so an object lands at $(OBJDIR)/<folder>/<name>.o whatever the folder.
# Kbuild builds the module from the same list.  Adding a pure source:
# append it to the list of every program that links it, below.

VMXLAB_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

# The capability decisions: the tool's fixtures (tools/tests/make_caps).
VMXLAB_CAPS_SRCS := vmx/caps.c

# In the tool: capabilities, names, exit decoders.
VMXLAB_TOOL_SRCS := $(VMXLAB_CAPS_SRCS) vmx/names.c exits/decode.c

# In the host unit tests: every pure source.
VMXLAB_PURE_SRCS := $(VMXLAB_TOOL_SRCS) \
	exits/mmio_decode.c exits/guest_walk.c exits/cpuid_supported.c exits/cpuid_cache.c \
	ept/ept_table.c ept/ept_watch.c \
	vmcs/entry_checks.c

# $(call vmxlab_objs,OBJDIR,SRCS): the objects of SRCS under OBJDIR.
vmxlab_objs = $(patsubst %.c,$(1)/%.o,$(2))

# $(call vmxlab_srcs,SRCS): SRCS as absolute paths.
vmxlab_srcs = $(addprefix $(VMXLAB_TOP)/,$(1))
