"""Turns the hyperfine JSON and call counts of scripts/bench.sh into BENCHMARKS.md.

Every figure is computed from files of one run; a figure whose file is missing
(a section skipped, e.g. SKIP_MOTO=1) is left out with a note, never printed as 0.
"""

import datetime
import json
import os
import subprocess
import sys

results = sys.argv[1]
SIDES = ("before", "after")


def path(name):
    return os.path.join(results, name)


def have(name):
    return os.path.exists(path(name))


def load(name):
    with open(path(name)) as f:
        return json.load(f)


def ms(seconds):
    if seconds is None:
        return "n/a"
    if seconds < 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def row(name, command=None):
    rows = load(name)["results"]
    if command is None:
        return rows[0]
    return next(r for r in rows if r["command"] == command)


def median(name, command=None):
    return row(name, command)["median"] if have(name) else None


def ratio(a, b, digits=1):
    return f"{a / b:.{digits}f}×" if a is not None and b else "n/a"


def versus(mine, theirs):
    """How xacct compares: "N× faster" or "N× slower"."""
    if mine is None or theirs is None:
        return "n/a"
    return f"{theirs / mine:.1f}× faster" if theirs >= mine else f"{mine / theirs:.2f}× slower"


def table(name, base_index=0):
    rows = load(name)["results"]
    base = rows[base_index]["median"]
    lines = ["| command | median | mean ± σ | min | vs first row |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['command']} | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'])} "
            f"| {ms(r['min'])} | {r['median'] / base:.2f}× |"
        )
    return "\n".join(lines)


def side_table(names):
    """Before and after of the same commands, one row per (command, side)."""
    lines = ["| command | side | median | mean ± σ | min | CPU (user + sys, mean) | runs |", "|---|---|---|---|---|---|---|"]
    for name in names:
        for side in SIDES:
            if not have(f"{name}-{side}.json"):
                continue
            for r in load(f"{name}-{side}.json")["results"]:
                cpu_time = ms(r["user"] + r["system"]) if "user" in r else "n/a"
                lines.append(
                    f"| {r['command']} | {side} | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'])} "
                    f"| {ms(r['min'])} | {cpu_time} | {len(r['times'])} |"
                )
    return "\n".join(lines)


def calls(name):
    """A call count file: the stand-in's stats or moto's Counter."""
    if not have(name):
        return "not measured"
    counts = load(name)
    if "requests" in counts:
        counts = counts["requests"]
    if not counts:
        return "none"
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" (total {sum(counts.values())})"


def stat(name, key):
    return load(name).get(key) if have(name) else None


meta = load("meta.json")


def subject(describe):
    text = describe.split(" ", 1)[1].strip() if " " in describe else ""
    return text if len(text) < 90 else text[:80].rsplit(" ", 1)[0] + " …"
cpu = subprocess.run(
    ["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True
).stdout.strip()
today = datetime.date.today().isoformat()

# --- issue 11's table -----------------------------------------------------------
S = {}
for side in SIDES:
    d = S[side] = {}
    for j in (1, 8, 32):
        d[f"j{j}"] = median(f"exec100-j{j}-{side}.json")
    d["all32"] = median(f"exec1000-j32-{side}.json")
    d["all1"] = median(f"exec1000-j1-{side}.json")
    d["all_n"] = (stat(f"exec1000-j32-{side}.calls.json", "requests") or {}).get("AssumeRole")
    d["all_runs"] = len(row(f"exec1000-j32-{side}.json")["times"]) if have(f"exec1000-j32-{side}.json") else None
    d["inflight32"] = stat(f"exec1000-j32-{side}.calls.json", "max_in_flight")
    d["inflight100_32"] = stat(f"exec100-j32-{side}.calls.json", "max_in_flight")
    for store in ("one", "full"):
        d[f"name_{store}"] = median(f"hit-{store}-{side}.json", "assume DEMO (by name)")
        d[f"id_{store}"] = (
            load(f"hit-{store}-{side}.json")["results"][1]["median"] if have(f"hit-{store}-{side}.json") else None
        )
        d[f"whoami_{store}"] = median(f"whoami-{store}-{side}.json")
    d["accounts"] = median(f"accounts-cached-{side}.json")
    d["complete"] = median(f"complete-{side}.json")
    d["picker"] = median(f"picker-{side}.json")
    for n in (200, 1000):
        d[f"list{n}"] = median(f"list{n}-{side}.json", "accounts --refresh")
        d[f"list{n}_ou"] = median(f"list{n}-{side}.json", "accounts --refresh --ou-paths")
    d["hit"] = median(f"hit-{side}.json", "xacct assume (cache hit)")
    d["hello"] = median(f"hit-{side}.json", "hello world (Rust, rustc -O)")
    d["size"] = meta[f"size_{side}"]
cli = {n: median(f"list{n}-cli.json") for n in (200, 1000)}


def both(fmt):
    """"before → after" of a formatted figure."""
    return " | ".join(fmt(S[side]) for side in SIDES)


def three(d, a, b, c):
    return f"{ms(d[a])} / {ms(d[b])} / {ms(d[c])}"


def vs_one(d, key):
    full, one = d[f"{key}_full"], d[f"{key}_one"]
    return f"{ms(full)} vs {ms(one)} ({ratio(full, one, 2)})"


def mb(n):
    return f"{n / 1e6:.1f} MB" if n else "n/a"


summary = [
    ("`exec --accounts 'acct-000??' -- true`, 100 accounts, cold, 60 ms latency: `-j 1` / `-j 8` / `-j 32`",
     both(lambda d: three(d, "j1", "j8", "j32")), "`-j 32` not slower than `-j 8`"),
    (f"`exec --all -j 32 -- true`, {S['after']['all_n'] and S['after']['all_n'] // (S['after']['all_runs'] or 1) or '~1,000'} accounts cold, 20 ms latency",
     both(lambda d: ms(d["all32"])), "ideal ≈ accounts / 32 × 20 ms"),
    ("the same accounts, `-j 1` time / `-j 32` time",
     both(lambda d: ratio(d["all1"], d["all32"])), "≥ 15×"),
    ("requests in flight at the stand-in at most, `-j 32` (1,000 / 100 accounts)",
     both(lambda d: f"{d['inflight32'] or 'n/a'} / {d['inflight100_32'] or 'n/a'}"), "32"),
    ("cache-hit `assume DEMO` (by name), 10,000 cached sessions vs one; 10,000 accounts listed",
     both(lambda d: vs_one(d, "name")), "≤ 1.3×"),
    ("cache-hit `assume 386570327258` (by ID), 10,000 sessions vs one",
     both(lambda d: vs_one(d, "id")), "≤ 1.3×"),
    ("`whoami --short`, 10,000 sessions vs one",
     both(lambda d: vs_one(d, "whoami")), "≤ 1.3×"),
    ("`accounts` from the cached list, 10,000 accounts", both(lambda d: ms(d["accounts"])), "≤ 30 ms"),
    ("account-name completion (`xacct assume acct-0<Tab>`, bash), 10,000 accounts",
     both(lambda d: ms(d["complete"])), "≤ 20 ms"),
    ("the picker's first screen (`xacct assume` on a terminal), 10,000 accounts",
     both(lambda d: ms(d["picker"])), "≤ 50 ms"),
    (f"`accounts --refresh` / `--refresh --ou-paths`, 200 accounts in 20 OUs, 60 ms latency (AWS CLI `list-accounts --page-size 20`: {ms(cli[200])})",
     both(lambda d: f"{ms(d['list200'])} / {ms(d['list200_ou'])}"), "—"),
    (f"the same, 1,000 accounts in 40 OUs up to five deep (AWS CLI: {ms(cli[1000])})",
     both(lambda d: f"{ms(d['list1000'])} / {ms(d['list1000_ou'])}"), "—"),
    ("1,000 accounts: AWS CLI time / xacct `--refresh` time; `--ou-paths` / plain",
     both(lambda d: f"{ratio(cli[1000], d['list1000'], 2)}; {ratio(d['list1000_ou'], d['list1000'], 2)}"), "≥ 2×; ≤ 1.2×"),
    ("200 accounts: AWS CLI time / xacct time; `--ou-paths` / plain",
     both(lambda d: f"{ratio(cli[200], d['list200'], 2)}; {ratio(d['list200_ou'], d['list200'], 2)}"), "≥ 2×; ≤ 1.2×"),
    ("cache hit (moto, one session, 26 accounts) vs a hello-world Rust binary",
     both(lambda d: f"{ms(d['hit'])} vs {ms(d['hello'])} ({ratio(d['hit'], d['hello'])})"), "≤ 2×"),
    ("binary size, stripped", both(lambda d: mb(d["size"])), "≤ 12 MB"),
]

out = []
out.append(f"""# Benchmarks

Written by `scripts/bench.sh` from one run on {today}: hyperfine, release builds,
on {os.cpu_count()} cores ({cpu}). **before** is `{meta['before_describe'].split(' ')[0]}`
("{subject(meta['before_describe'])}"), built from `BEFORE={meta['before_rev'][:7]}`;
**after** is the working tree at `{meta['after_describe'].split(' ')[0]}`{' with uncommitted changes' if meta['after_dirty'] else ''}.
Both are measured in the same run against the same endpoints, so their ratios
compare; absolute times depend on the machine (this one is shared, 2 cores).

Two local endpoints, both on 127.0.0.1:

- **the org stand-in** (`scripts/org_standin.py`, standard-library Python): a
  synthetic organization (10,000 accounts in 300 OUs nested up to five deep for
  the interactive paths; 1,000 accounts in 40 OUs for the fan-out and listing;
  200 in 20 OUs), STS AssumeRole, and a fixed latency added to every request,
  answering many requests at once as AWS does. Every figure of the scale table
  comes from it.
- **moto** (`scripts/moto_sandbox.py`, the tests' endpoint): answers about one
  request at a time in about a millisecond, so it hides parallelism and scale;
  it serves the comparisons with the AWS CLI and awsume and the floor (cache hit
  vs a hello world).

## Issue 11: org scale

| measured | before | after | target |
|---|---|---|---|""")
for label, values, target in summary:
    out.append(f"| {label} | {values} | {target} |")

out.append(f"""
How the stores were filled: the account list by `xacct accounts --refresh`
(each binary in its own layout); sessions by the binary itself (`assume DEMO`
and `exec` over the 100 `acct-000??` accounts), then, for a single-file
credential store, copies of those entries up to 10,000 (`scripts/bench_seed.py`:
writing 10,000 sessions one by one through that layout rewrites the whole file
each time), else `exec --all` over the 10,000 accounts. "one session" is the
same store with only DEMO's session. `whoami --short` runs with DEMO's
credentials in the environment. The picker's first screen is timed from the
start of `xacct assume` on a pseudo-terminal until six account IDs are drawn
(`scripts/bench_picker.py`).

### exec fan-out, cold (every session fetched), org stand-in

{side_table(["exec100-j1", "exec100-j8", "exec100-j32", "exec1000-j32", "exec1000-j1"])}

The CPU column (user + sys of xacct and what it runs, mean per run) is the
steadier figure on a busy machine: when the wall time of a run is far above its
ideal (accounts / `-j` × latency) and its CPU time is near that wall time
divided by the cores, the run is bound by CPU (its own, or a neighbour's), not
by the network.

Requests seen by the stand-in over all runs of one row (max in flight = the most
requests the stand-in held at once):
""")
for name in ("exec100-j32", "exec1000-j32", "exec1000-j1"):
    for side in SIDES:
        f = f"{name}-{side}.calls.json"
        if have(f):
            out.append(f"- {name}, {side}: {calls(f)}; max in flight {stat(f, 'max_in_flight')}")

out.append(f"""
### interactive paths at 10,000 accounts, org stand-in

{side_table(["hit-one", "hit-full", "whoami-one", "whoami-full", "accounts-cached", "complete", "picker"])}

### listing at 60 ms latency, org stand-in

{side_table(["list200", "list1000"])}
""")
for n in (200, 1000):
    if have(f"list{n}-cli.json"):
        r = row(f"list{n}-cli.json")
        out.append(f"- AWS CLI, {n} accounts: `{r['command']}` median {ms(r['median'])} (min {ms(r['min'])}); calls: {calls(f'list{n}-aws-cli.calls.json')}")
    for side in SIDES:
        out.append(
            f"- {side}, {n} accounts: `--refresh`: {calls(f'list{n}-plain-{side}.calls.json')}; "
            f"`--refresh --ou-paths`: {calls(f'list{n}-ou-{side}.calls.json')}"
        )
out.append("""
At 60 ms a page, ListAccounts' 20-account pages one after another cost about
3 s per 1,000 accounts whatever the client; only listing several parents at
once (per OU) can beat that.
""")

# --- moto ---------------------------------------------------------------------
if have("others.json"):
    hit = median("others.json", "xacct assume (cache hit)")
    awsume = median("others.json", "awsume demo-ro (no role cache: AssumeRole)")
    cli_assume = median("others.json", "aws sts assume-role (AWS CLI v1)")
    cold = median("cold.json", "xacct assume (cold: AssumeRole)")
    cli_cold = median("cold.json", "aws sts assume-role (AWS CLI v1)")
    acc = median("accounts.json", "xacct accounts --refresh")
    acc_cached = median("accounts.json", "xacct accounts (cached list)")
    acc_cli = median("accounts.json", "aws organizations list-accounts")
    j1 = median("exec.json", "xacct exec --all -j 1 -- true")
    j8 = median("exec.json", "xacct exec --all -j 8 -- true")
    j32 = median("exec.json", "xacct exec --all -j 32 -- true")
    cold1 = median("exec-cold.json", "xacct exec --all -j 1 -- true (cold: 200 AssumeRole)")
    cold8 = median("exec-cold.json", "xacct exec --all -j 8 -- true (cold: 200 AssumeRole)")
    cold32 = median("exec-cold.json", "xacct exec --all -j 32 -- true (cold: 200 AssumeRole)")
    version = median("hit-after.json", "xacct --version (binary start only)")
    true = median("hit-after.json", "process start (/bin/true)")
    hit_after = S["after"]["hit"]
    work = hit_after - version
    work_text = (
        f"the rest, about {ms(work)}, is the work"
        if work >= 0.0001
        else "the rest is within the noise of the measurement"
    )
    accounts_ou = (
        "\n`--ou-paths`, each run from an empty cache:\n\n" + table("accounts-ou.json") + "\n"
        if have("accounts-ou.json")
        else ""
    )
    cli_pages = load("calls-aws-list-accounts.json").get("ListAccounts", 0)
    xacct_pages = load("calls-xacct-accounts.json").get("ListAccounts", 0)
    out.append(f"""## Against the AWS CLI and awsume (moto; after only, except the floor)

| measure | xacct | other | ratio |
|---|---|---|---|
| assume, cache hit vs AWS CLI `sts assume-role` | {ms(hit)} | {ms(cli_assume)} | {versus(hit, cli_assume)} |
| assume, cache hit vs awsume | {ms(hit)} | {ms(awsume)} | {versus(hit, awsume)} |
| assume, cache hit vs `/bin/true` | {ms(hit_after)} | {ms(true)} | {ratio(hit_after, true)} a bare process start |
| assume, cold vs AWS CLI | {ms(cold)} | {ms(cli_cold)} | {versus(cold, cli_cold)} |
| accounts, 1,000 accounts, fetched vs AWS CLI | {ms(acc)} | {ms(acc_cli)} | {versus(acc, acc_cli)} |
| accounts, 1,000 accounts, cached vs AWS CLI | {ms(acc_cached)} | {ms(acc_cli)} | {versus(acc_cached, acc_cli)} |
| exec --all over 200 accounts (cached), -j 8 vs -j 1 | {ms(j8)} | {ms(j1)} | {versus(j8, j1)} |
| exec --all over 200 accounts (cold), -j 8 vs -j 1 | {ms(cold8)} | {ms(cold1)} | {versus(cold8, cold1)} |

### assume: cache hit, the floor (before and after)

{side_table(["hit"])}

A cache hit builds no AWS client, starts no async runtime and makes no
request. Most of its time is loading the binary itself (compare `xacct
--version`, {ms(version)}, and the hello world, {ms(S['after']['hello'])});
{work_text}.

{table("others.json")}

awsume and the AWS CLI keep no role-credential cache, so every call is a
Python start plus an AssumeRole round trip.

### assume: cold (the session removed before each run)

{table("cold.json")}

### accounts on a 1,000-account organization (moto)

{table("accounts.json")}
{accounts_ou}
API calls per run (counted at the endpoint):

- `xacct accounts --refresh`: {calls("calls-xacct-accounts.json")}
- `xacct accounts --refresh --ou-paths`: {calls("calls-xacct-accounts-ou.json")}
- `aws organizations list-accounts`: {calls("calls-aws-list-accounts.json")}

moto ignores ListAccounts' real maximum of 20 per page and gave the CLI, which
does not set MaxResults, 100 a page ({cli_pages} calls against xacct's
{xacct_pages}); against AWS (and the stand-in) both make {xacct_pages}.

### exec --all over 200 accounts (moto)

Every session cached (the usual case after the first run):

{table("exec.json")}

API calls during those runs: {calls("calls-exec-warm.json")}.

Cold (every session fetched from STS, bounded concurrency):

{table("exec-cold.json")}

API calls during those runs: {calls("calls-exec-cold.json")}. moto answers
about one AssumeRole at a time, so `-j` above a few cannot pay here: the
stand-in's figures above are the ones that show how the fan-out scales.
""")
else:
    out.append("## Against the AWS CLI and awsume (moto)\n\nNot run (SKIP_MOTO=1).\n")

print("\n".join(out))
