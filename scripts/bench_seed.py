#!/usr/bin/env python3
"""Grows a single-file credential store (credentials.toml, the layout before
issue 11) to N sessions for the benchmarks, in the binary's own format:

    python3 scripts/bench_seed.py PATH/credentials.toml 10000

Every entry xacct wrote stays as it is (so its cache hits still hit); copies of
them under new key ids, each for another account ID, fill the file up to N.
Writing 10,000 sessions through that layout would rewrite the whole file per
session (quadratic: hours), which is the problem issue 11 fixes, not a way to
seed a benchmark. Standard library only (tomllib checks the result).
"""

import os
import random
import re
import sys
import tomllib

path, want = sys.argv[1], int(sys.argv[2])
text = open(path, encoding="utf-8").read()
lines = text.splitlines(keepends=True)
header = re.compile(r'^\[+\s*credentials\.("?)([0-9a-f]+)\1(\.[^\]]*)?\s*\]+\s*$')
head, blocks, current = [], {}, None
for line in lines:
    m = header.match(line) if line.startswith("[") else None
    if line.startswith("["):
        current = m.group(2) if m else None
    if current is None:
        head.append(line)
    else:
        blocks.setdefault(current, []).append(line)
if not blocks:
    sys.exit(f"bench_seed: no [credentials.ID] entries in {path}")
have = len(blocks)
rng = random.Random(11)
templates = list(blocks.items())
out = [*head]
for key, block in templates:
    out.extend(block)
for i in range(max(want - have, 0)):
    key, block = templates[i % len(templates)]
    new_key = "%032x" % rng.getrandbits(128)
    account = "%012d" % rng.randrange(10**11, 10**12)
    for line in block:
        line = line.replace(key, new_key)
        line = re.sub(r"(arn:aws:iam::)\d{12}", lambda m: m.group(1) + account, line)
        # A key ID of its own: lookups by key ID (whoami) must find one session.
        line = re.sub(r"\bASIA[0-9A-Z]{16}\b", "ASIA%016X" % (i + 1 << 32 | 0xBEEF), line)
        out.append(line)
tmp = path + ".seed"
with open(tmp, "w", encoding="utf-8") as f:
    f.write("".join(out))
os.chmod(tmp, 0o600)
count = len(tomllib.load(open(tmp, "rb")).get("credentials", {}))
if count != max(want, have):
    sys.exit(f"bench_seed: wrote {count} entries, wanted {want}")
os.replace(tmp, path)
print(f"bench_seed: {have} sessions written by xacct, {count} in {path} ({os.path.getsize(path) // 1024} KB)", file=sys.stderr)
