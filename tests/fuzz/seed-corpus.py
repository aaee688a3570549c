#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed tests/fuzz/corpus/mmio_decode/ from the unit tests' instructions.

Every decode_full(M16|M32|M64, BYTES(...)) of tests/unit/test_mmio_decode.c
becomes one input: the mode byte (0, 1, 2), then the instruction bytes.
Run once when the unit tests gain instructions; the files are kept in git.
"""
import hashlib
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'unit', 'test_mmio_decode.c')
OUT = os.path.join(HERE, 'corpus', 'mmio_decode')
MODES = {'M16': 0, 'M32': 1, 'M64': 2}

text = open(SRC).read()
os.makedirs(OUT, exist_ok=True)
n = 0
for mode, body in re.findall(r'\((M16|M32|M64),\s*BYTES\(([^)]*)\)', text):
    data = bytes([MODES[mode]] + [int(b, 16) for b in re.findall(r'0x[0-9a-fA-F]+', body)])
    name = 'unit-' + hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    n += 1
print(f'{n} inputs in {OUT}')
