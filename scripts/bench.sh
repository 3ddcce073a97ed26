#!/usr/bin/env bash
# Benchmarks xacct side by side with the AWS CLI and awsume on the same local
# moto endpoint (hyperfine, release build), counts the API calls each makes,
# and writes BENCHMARKS.md. Timings are measured here, never asserted in tests.
#   bash scripts/bench.sh            (about 5 minutes; needs hyperfine, python3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null || { echo "install hyperfine" >&2; exit 1; }
cargo build --release --locked --quiet
bash scripts/ensure-venv.sh
# The AWS CLI and awsume from PyPI, in a venv of their own so the test venv's pins stay as they are.
[ -x .venv-bench/bin/awsumepy ] || {
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -q --disable-pip-version-check awscli==1.46.3 awsume==4.5.4
}
xacct="$root/target/release/xacct"
aws="$root/.venv-bench/bin/aws"
awsume="$root/.venv-bench/bin/awsumepy"
results="$root/target/bench"
rm -rf "$results" && mkdir -p "$results"

# How many requests of each action the sandbox saw since the last call of this.
calls() {
    curl -s "$AWS_ENDPOINT_URL/_sandbox/requests" | "$root/.venv/bin/python" -c \
        'import collections, json, sys; print(json.dumps(collections.Counter(r["action"] for r in json.load(sys.stdin))))'
    curl -s -X POST "$AWS_ENDPOINT_URL/_sandbox/requests/clear" >/dev/null
}

echo "== assume: cache hit and cold, against the AWS CLI and awsume ==" >&2
(
    # shellcheck source=scripts/sandbox-env.sh
    source scripts/sandbox-env.sh
    # awsume and the AWS CLI read profiles; demo1's keys go in a credentials file.
    mkdir -p "$HOME/.aws"
    printf '[demo1]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$HOME/.aws/credentials"
    printf '[profile demo-ro]\nrole_arn = arn:aws:iam::%s:role/MemberReadOnlyAccess\nsource_profile = demo1\nregion = us-east-1\n' "$demo_id" >"$HOME/.aws/config"
    role_arn="arn:aws:iam::$demo_id:role/MemberReadOnlyAccess"
    cache="$XDG_CACHE_HOME/xacct/sessions" # one file per cached session
    "$xacct" accounts >/dev/null # the account list is cached, as in daily use
    "$xacct" assume demo MemberReadOnlyAccess >/dev/null

    hyperfine -N --warmup 20 --runs 300 --export-json "$results/hit.json" \
        -n 'process start (/bin/true)' '/bin/true' \
        -n 'xacct --version (binary start only)' "$xacct --version" \
        -n 'xacct assume (cache hit)' "$xacct assume demo MemberReadOnlyAccess" >&2
    hyperfine -N --warmup 3 --runs 30 --export-json "$results/others.json" \
        -n 'xacct assume (cache hit)' "$xacct assume demo MemberReadOnlyAccess" \
        -n 'awsume demo-ro (no role cache: AssumeRole)' "$awsume demo-ro" \
        -n 'aws sts assume-role (AWS CLI v1)' "$aws sts assume-role --role-arn $role_arn --role-session-name bench --profile demo1" >&2
    hyperfine -N --warmup 3 --runs 40 --export-json "$results/cold.json" --prepare "rm -rf $cache" \
        -n 'xacct assume (cold: AssumeRole)' "$xacct assume demo MemberReadOnlyAccess" \
        -n 'aws sts assume-role (AWS CLI v1)' "$aws sts assume-role --role-arn $role_arn --role-session-name bench --profile demo1" >&2
)

echo "== accounts on a 1,000-account organization (seeding takes about 40 s) ==" >&2
(
    SANDBOX_ARGS=(--accounts 999)
    # shellcheck source=scripts/sandbox-env.sh
    source scripts/sandbox-env.sh
    calls >/dev/null
    "$xacct" accounts --refresh >/dev/null && calls >"$results/calls-xacct-accounts.json"
    "$xacct" accounts --refresh --ou-paths >/dev/null && calls >"$results/calls-xacct-accounts-ou.json"
    "$aws" organizations list-accounts >/dev/null && calls >"$results/calls-aws-list-accounts.json"
    hyperfine -N --warmup 2 --runs 15 --export-json "$results/accounts.json" \
        -n 'xacct accounts (cached list)' "$xacct accounts" \
        -n 'xacct accounts --refresh' "$xacct accounts --refresh" \
        -n 'xacct accounts --refresh --ou-paths' "$xacct accounts --refresh --ou-paths" \
        -n 'aws organizations list-accounts' "$aws organizations list-accounts" >&2
)

echo "== exec --all over 200 accounts ==" >&2
(
    SANDBOX_ARGS=(--accounts 199)
    # shellcheck source=scripts/sandbox-env.sh
    source scripts/sandbox-env.sh
    "$xacct" exec --all -- true 2>/dev/null # every session cached, as after the first run
    calls >/dev/null
    hyperfine -N --warmup 1 --runs 5 --export-json "$results/exec.json" \
        -n 'xacct exec --all -j 1 -- true' "$xacct exec --all -j 1 -- true" \
        -n 'xacct exec --all -j 8 -- true' "$xacct exec --all -j 8 -- true" \
        -n 'xacct exec --all -j 32 -- true' "$xacct exec --all -j 32 -- true" >&2
    calls >"$results/calls-exec-warm.json"
    cache="$XDG_CACHE_HOME/xacct/sessions" # one file per cached session
    hyperfine -N --runs 3 --export-json "$results/exec-cold.json" --prepare "rm -rf $cache" \
        -n 'xacct exec --all -j 1 -- true (cold: 200 AssumeRole)' "$xacct exec --all -j 1 -- true" \
        -n 'xacct exec --all -j 8 -- true (cold: 200 AssumeRole)' "$xacct exec --all -j 8 -- true" \
        -n 'xacct exec --all -j 32 -- true (cold: 200 AssumeRole)' "$xacct exec --all -j 32 -- true" >&2
)

"$root/.venv/bin/python" scripts/bench_report.py "$results" >BENCHMARKS.md
cat BENCHMARKS.md
