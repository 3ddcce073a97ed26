#!/usr/bin/env bash
# Benchmarks xacct against a local moto endpoint with hyperfine (release build)
# and writes the figures to BENCHMARKS.md. Timings are measured here, never
# asserted in tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null || { echo "install hyperfine" >&2; exit 1; }; }
cargo build --release --quiet
bash scripts/ensure-venv.sh
# The AWS CLI, in a venv of its own so the test venv's pins stay as they are.
[ -x .venv-bench/bin/aws ] || {
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -q --disable-pip-version-check awscli==1.46.3
}
xacct="$root/target/release/xacct"
aws="$root/.venv-bench/bin/aws"
out="$(mktemp -d)"

# shellcheck source=scripts/sandbox-env.sh
source scripts/sandbox-env.sh

role_arn="arn:aws:iam::$demo_id:role/MemberReadOnlyAccess"
cache="$XDG_CACHE_HOME/xacct/credentials.toml"
"$xacct" accounts >/dev/null   # the account list is cached, as in daily use
"$xacct" assume demo MemberReadOnlyAccess >/dev/null

hyperfine -N --warmup 20 --runs 300 --export-json "$out/hit.json" \
    -n 'process start (/bin/true)' '/bin/true' \
    -n 'xacct --version (binary start only)' "$xacct --version" \
    -n 'xacct assume (cache hit)' "$xacct assume demo MemberReadOnlyAccess"
hyperfine -N --warmup 3 --runs 40 --export-json "$out/cold.json" \
    --prepare "rm -f $cache" \
    -n 'xacct assume (cold, AssumeRole on moto)' "$xacct assume demo MemberReadOnlyAccess" \
    -n 'aws sts assume-role (AWS CLI v1)' "$aws sts assume-role --role-arn $role_arn --role-session-name bench"

"$root/.venv/bin/python" - "$out" > BENCHMARKS.md <<'PY'
import json, os, platform, subprocess, sys
out = sys.argv[1]
def rows(name):
    return json.load(open(os.path.join(out, name)))["results"]
def ms(x):
    return f"{x * 1000:.2f} ms"
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print("# Benchmarks\n")
print("Written by `scripts/bench.sh` (hyperfine, release build, moto on 127.0.0.1);")
print(f"machine: {os.cpu_count()} cores, {cpu or platform.machine()}.\n")
for title, name in [("Cache hit vs process start", "hit.json"), ("Cold assume (cache removed before each run)", "cold.json")]:
    results = rows(name)
    base = results[0]["median"]
    print(f"## {title}\n")
    print("| command | median | mean ± σ | min | ratio to first |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['command']} | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'])} | {ms(r['min'])} | {r['median'] / base:.2f}x |")
    print()
PY
cat BENCHMARKS.md
