# SPDX-License-Identifier: GPL-2.0
#
# vmxlab: build the module and the tool, install them, test them.
#
#   make            vmxlab.ko (against KDIR) and tools/vmxlab
#   make check      install test dependencies (root), build for every
#                   supported kernel, host unit tests, emulated machines
#   make check-host the builds, host unit tests and tool tests: no
#                   emulator, for the edit-and-test loop (tests/README.md)
#   make run        show vmxlab working: here if this CPU has usable VT-x,
#                   else in the emulated machine (Bochs)
#   make bench      vmxlab vs kvm_intel: instructions per exit, etc. (Bochs)
#   make fuzz       libFuzzer over the pure logic, SECONDS=N per harness
#                   (default 300); the ioctl fuzzer runs in the machine
#   make fuzz-guests  the guest-code fuzzer on vmxlab alone, GUESTS=N random
#                   guests (default 3000; make check runs 60 on both devices)
#   make install    modules_install + depmod + the tool in /usr/local/sbin
#                   + the udev rule: /dev/vmxlab 0660 group kvm, like /dev/kvm
#   make dkms-install  the module under DKMS (rebuilt for new kernels);
#                   DKMS_KERNELS="R1 R2" for other releases than the running
#   make dkms-remove
#   make check-fresh  make deps, builds and host tests in a fresh Debian 12
#                   root (debootstrap; root, downloads packages)
#   make check-qemu Debian's QEMU boots Linux on kvm_intel and on vmxlab
#                   (emulated machine, 6.1; make check runs it on 6.12)
#   make clean
#
# Kernel headers: KDIR=... wins; else the running kernel's build directory;
# else the newest installed Debian linux-headers-*-amd64.

SHELL := /bin/bash
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
NEWEST_KDIR := $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(NEWEST_KDIR))

# Every kernel make check builds for: Debian 12's 6.1 and the 6.12 LTS.
KDIR_61 = $(shell ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | grep -v -e cloud -e rt | sort -V | tail -n 1)
KDIR_612 = $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | grep -v -e cloud -e rt | sort -V | tail -n 1)

# The module's source folders, named once: what the per-kernel build copies.
MODULE_DIRS := vmx ept vmcs exits include
MODULE_SOURCES := Kbuild $(shell find $(MODULE_DIRS) -name '*.[chS]' -o -name '*.mk' 2>/dev/null)
BUILD := build

.PHONY: all module tool modules-all check check-host check-qemu deps run install install-module install-tool clean help fuzz fuzz-guests

all: module tool

help:
	@awk 'NR > 4 && /^#$$/ { exit } NR >= 3' Makefile

module:
	@test -n "$(KDIR)" && test -f "$(KDIR)/Makefile" || { \
	  echo "vmxlab: no kernel headers found. Install them (Debian: apt-get install linux-headers-amd64) or pass KDIR=/path/to/build"; exit 1; }
	@echo "vmxlab: building against $(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C tools

# Build vmxlab.ko for one kernel in build/<abi>/, from a copy of the
# sources, so that builds for several kernels do not share objects.
# Any compiler warning fails the build (KCFLAGS=-Werror), and a failed
# build leaves no stale vmxlab.ko behind.
$(BUILD)/%/vmxlab.ko: $(MODULE_SOURCES)
	@mkdir -p $(BUILD)/$*
	@cp -rp Kbuild $(MODULE_DIRS) $(BUILD)/$*/
	@echo "vmxlab: building against /usr/src/linux-headers-$*"
	@rm -f $@
	@set -o pipefail; $(MAKE) -C /usr/src/linux-headers-$* M=$(CURDIR)/$(BUILD)/$* KCFLAGS=-Werror modules 2>&1 | tee $(BUILD)/$*/build.log
	@# objtool and modpost take no -Werror: their warnings fail here.
	@! grep -E 'warning: objtool|^WARNING: modpost' $(BUILD)/$*/build.log
	@test -f $@

modules-all:
	@test -n "$(KDIR_61)" || { echo "vmxlab: 6.1 headers missing: run 'make deps' as root"; exit 1; }
	@test -n "$(KDIR_612)" || { echo "vmxlab: 6.12 headers missing: run 'make deps' as root"; exit 1; }
	$(MAKE) $(BUILD)/$(notdir $(KDIR_61:/usr/src/linux-headers-%=%))/vmxlab.ko
	$(MAKE) $(BUILD)/$(notdir $(KDIR_612:/usr/src/linux-headers-%=%))/vmxlab.ko

deps:
	tests/install-deps.sh

check:
	tests/check.sh

# Debian's QEMU 7.2 boots Linux on kvm_intel and on vmxlab in the emulated
# machine (tests/machine/tests/qemu-linux.sh; about 6 minutes), on the 6.1
# kernel; `make check` runs it in its 6.12 boot.
check-qemu:
	tests/machine/boot.sh --kernel 6.1 --cpus 1 --tests qemu-linux --timeout 1800 --out $(BUILD)/machine/qemu

# Longer coverage-guided runs than make check's 15 s per harness (tests/fuzz).
fuzz:
	$(MAKE) -C tests/fuzz run SECONDS=$(or $(SECONDS),300)

# The guest-code fuzzer (tests/machine/progs/fuzz-guest.c) on vmxlab alone,
# longer than make check's 60 guests: every guest must end in a defined exit,
# and the kernel log must stay quiet meanwhile.  The seed is in the NOTE line.
FUZZ_GUESTS_CMD = insmod /vmxlab.ko || exit 1; dmesg -c > /dev/null; \
	fuzz-guest --dev /dev/vmxlab --guests $(or $(GUESTS),3000) > /tmp/fg.out; rc=$$?; \
	grep -v "^guest " /tmp/fg.out; \
	echo "fuzz-guests: $$(grep -c "^guest " /tmp/fg.out) guests ran, exit status $$rc"; \
	if dmesg | grep -E "BUG|WARNING|Oops|soft lockup"; then exit 1; fi; exit $$rc

fuzz-guests:
	tests/machine/boot.sh --kernel 6.12 --cpus 1 --tests none --timeout 3000 \
		--out $(BUILD)/machine/fuzz-guests --shell-cmd '$(FUZZ_GUESTS_CMD)'

check-host:
	@tests/check.sh --host-only

run:
	tests/run.sh

.PHONY: dkms-install dkms-remove
dkms-install:
	tools/packaging/dkms.sh install $(DKMS_KERNELS)

dkms-remove:
	tools/packaging/dkms.sh remove

.PHONY: check-fresh
check-fresh:
	tests/fresh-machine.sh

.PHONY: bench
bench:
	tests/bench/bench.sh

# The release the headers belong to.  Debian's 6.1 headers carry a
# kernel.release (6.1.x) that differs from the release modules live under
# (6.1.0-N-amd64); UTS_RELEASE is the one the running kernel reports.
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

install: install-module install-tool install-udev

# /dev/vmxlab as /dev/kvm: mode 0660, group kvm (created if missing), so
# that the group's members run guests without root.  DESTDIR=DIR stages
# the rule only (the emulated machine's initramfs is made that way).
UDEV_RULE := $(DESTDIR)/etc/udev/rules.d/60-vmxlab.rules
.PHONY: install-udev
install-udev:
	install -D -m 0644 tools/packaging/60-vmxlab.rules $(UDEV_RULE)
ifeq ($(DESTDIR),)
	getent group kvm > /dev/null || groupadd -r kvm
	@if udevadm control --reload 2>/dev/null; then \
	  udevadm trigger --action=add --subsystem-match=misc --sysname-match=vmxlab; \
	else echo "vmxlab: udevd is not running: the rule applies from the next boot"; fi
endif

# INSTALL_MOD_PATH=DIR stages the module under DIR/lib/modules;
# MODULE_DIR=build/<abi> installs a module built by modules-all instead of
# building one here (the emulated machine's initramfs is made that way).
MODULE_DIR ?= $(CURDIR)

# Debian's header packages do not ship the key their kernels are signed
# with: sign at install only when the configured key is there, instead of
# printing SSL errors.  An unsigned module loads (tainting the kernel E)
# unless the kernel enforces signatures, as under Secure Boot lockdown.
SIG_KEY_CONF = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="*\([^"]*\)"*$$/\1/p' $(KDIR)/include/config/auto.conf 2>/dev/null)
SIG_KEY = $(if $(filter /%,$(SIG_KEY_CONF)),$(SIG_KEY_CONF),$(KDIR)/$(SIG_KEY_CONF))
NO_SIGN = $(if $(wildcard $(SIG_KEY)),,CONFIG_MODULE_SIG_ALL=)

install-module: $(if $(filter $(CURDIR),$(abspath $(MODULE_DIR))),module)
	$(if $(NO_SIGN),@echo "vmxlab: no signing key at $(SIG_KEY): installing the module unsigned")
	$(MAKE) -C $(KDIR) M=$(abspath $(MODULE_DIR)) KERNELRELEASE=$(KVER) $(NO_SIGN) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

install-tool: tool
	$(MAKE) -C tools install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools clean
	-$(MAKE) -C tests/unit clean 2>/dev/null
	-$(MAKE) -C tests/guests clean 2>/dev/null
	rm -rf $(BUILD)
