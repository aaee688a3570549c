#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# make_elf.py OUT CLASS MACHINE ENTRY [PADDR:FILESZ:MEMSZ ...] [--big-endian]
#   [--type=N]: a minimal ELF executable for vmxlab run's loader tests.
# CLASS is 32 or 64, MACHINE a number (3 = EM_386, 62 = EM_X86_64, 40 =
# EM_ARM); each segment's file bytes are 0xAB.
import struct
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = sys.argv[1:]
    out, cls, machine, entry = args[0], int(args[1]), int(args[2], 0), int(args[3], 0)
    segs = [tuple(int(x, 0) for x in s.split(":")) for s in args[4:]]
    endian = ">" if "--big-endian" in opts else "<"
    etype = 2
    for o in opts:
        if o.startswith("--type="):
            etype = int(o[7:])
    is64 = cls == 64
    ehsize, phentsize = (64, 56) if is64 else (52, 32)
    data_off = ehsize + phentsize * len(segs)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if endian == ">" else 1, 1]) + bytes(9)
    if is64:
        eh = ident + struct.pack(endian + "HHIQQQIHHHHHH", etype, machine, 1, entry,
                                 ehsize, 0, 0, ehsize, phentsize, len(segs), 0, 0, 0)
    else:
        eh = ident + struct.pack(endian + "HHIIIIIHHHHHH", etype, machine, 1, entry,
                                 ehsize, 0, 0, ehsize, phentsize, len(segs), 0, 0, 0)
    phdrs, body, off = b"", b"", data_off
    for paddr, filesz, memsz in segs:
        if is64:
            phdrs += struct.pack(endian + "IIQQQQQQ", 1, 7, off, paddr, paddr,
                                 filesz, memsz, 0x1000)
        else:
            phdrs += struct.pack(endian + "IIIIIIII", 1, off, paddr, paddr,
                                 filesz, memsz, 7, 0x1000)
        body += b"\xab" * filesz
        off += filesz
    with open(out, "wb") as f:
        f.write(eh + phdrs + body)


main()
