#!/usr/bin/env bash
# Benchmarks xacct (hyperfine, release builds) and writes BENCHMARKS.md.
#   bash scripts/bench.sh                 (about 20 minutes; needs hyperfine, python3, a Rust toolchain)
#   BEFORE=<rev> bash scripts/bench.sh    (the revision to compare with; default f40192e, the main issue 11 started from)
#   SKIP_MOTO=1 bash scripts/bench.sh     (only the scale benchmarks against the stand-in)
#   SIDES=after bash scripts/bench.sh     (measure this tree only; the report leaves "before" as n/a)
#
# Two endpoints, both on 127.0.0.1:
# - moto (scripts/moto_sandbox.py): the real STS/Organizations/IAM implementation
#   the tests use, for xacct against the AWS CLI and awsume. It answers about one
#   request at a time in about a millisecond.
# - the org stand-in (scripts/org_standin.py): a synthetic organization of up to
#   10,000 accounts in a few hundred OUs, STS AssumeRole, a fixed latency per
#   request and many requests at once, as AWS does: for issue 11's scale figures,
#   measured for the BEFORE revision and the working tree side by side in one run.
# Timings are measured here, never asserted in tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null || { echo "install hyperfine" >&2; exit 1; }
bash scripts/ensure-venv.sh
# The AWS CLI and awsume from PyPI, in a venv of their own so the test venv's pins stay as they are.
[ -x .venv-bench/bin/awsumepy ] || {
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -q --disable-pip-version-check awscli==1.46.3 awsume==4.5.4
}
aws="$root/.venv-bench/bin/aws"
awsume="$root/.venv-bench/bin/awsumepy"
results="$root/target/bench"
rm -rf "$results" && mkdir -p "$results"

# --- the binaries: after (this tree), before (BEFORE), a hello world ---------------
echo "== building: this tree, the BEFORE revision, a hello world ==" >&2
# This tree as it ships (a static PIE on Linux, see scripts/release-build.sh).
after_binary="$(bash scripts/release-build.sh)"
read -r -a sides <<<"${SIDES:-before after}"
BEFORE="${BEFORE:-f40192e}"
before_rev="$(git rev-parse --verify "$BEFORE^{commit}")"
before_dir="$root/target/bench-before/${before_rev:0:12}"
if [[ " ${sides[*]} " == *" before "* ]] && [ ! -x "$before_dir/xacct" ]; then
    # Its own copy of the sources (git archive: no worktree to register) and target dir.
    rm -rf "$before_dir" && mkdir -p "$before_dir/src"
    git archive "$before_rev" | tar -x -C "$before_dir/src"
    cargo build --release --locked --quiet --manifest-path "$before_dir/src/Cargo.toml" \
        --target-dir "$root/target/bench-before/target"
    cp "$root/target/bench-before/target/release/xacct" "$before_dir/xacct"
fi
mkdir -p target/bench-hello
[ -x target/bench-hello/hello ] || {
    printf 'fn main() {\n    println!("hello");\n}\n' >target/bench-hello/hello.rs
    rustc -O -C strip=symbols -o target/bench-hello/hello target/bench-hello/hello.rs
}
hello="$root/target/bench-hello/hello"
declare -A bin=([before]="$before_dir/xacct" [after]="$after_binary")
for side in before after; do
    if [ -x "${bin[$side]}" ]; then strip -o "$results/$side.stripped" "${bin[$side]}"; else : >"$results/$side.stripped"; fi
done
cat >"$results/meta.json" <<EOF
{"before_rev": "$before_rev", "before_describe": "$(git log -1 --format='%h %s' "$before_rev" | head -c 100 | sed 's/["\\]/ /g')",
 "after_rev": "$(git rev-parse HEAD)", "after_describe": "$(git log -1 --format='%h %s' HEAD | head -c 100 | sed 's/["\\]/ /g')",
 "after_dirty": $(git diff --quiet HEAD -- src Cargo.toml Cargo.lock && echo false || echo true),
 "size_before": $(stat -c %s "$results/before.stripped"), "size_after": $(stat -c %s "$results/after.stripped"),
 "size_hello": $(stat -c %s "$hello")}
EOF

# --- helpers for the stand-in sections -------------------------------------------
# Each side gets its own cache and config dirs under the stand-in's HOME;
# `side NAME` switches to them and sets $x to that side's binary.
side() {
    x="${bin[$1]}"
    export XDG_CACHE_HOME="$HOME/$1/cache" XDG_CONFIG_HOME="$HOME/$1/config"
    mkdir -p "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME"
    cur="$1"
}
# A copy of the side's whole cache dir, whatever its layout, to start runs from.
snapshot() { rm -rf "$HOME/$cur/snap-$1" && cp -a "$XDG_CACHE_HOME" "$HOME/$cur/snap-$1"; }
# The old copy is moved to a trash dir, not deleted: on ext4 without a journal
# (as here) every file created within seconds of a mass deletion pays for
# skipping the freed inodes, which would bill the harness's rm -rf to the
# run it prepares. The trash goes with the stand-in's HOME.
restore_script() { echo "mkdir -p $HOME/trash && { mv $XDG_CACHE_HOME $HOME/trash/\$\$ 2>/dev/null || true; } && cp -a $HOME/$cur/snap-$1 $XDG_CACHE_HOME"; }
restore_cmd() { echo "bash -c '$(restore_script "$1")'"; }
restore() { bash -c "$(restore_script "$1")"; }
# hf NAME HYPERFINE-ARGS...: hyperfine for the current side, JSON to $results/NAME-SIDE.json.
hf() {
    local name="$1"
    shift
    hyperfine -N --style basic --export-json "$results/$name-$cur.json" "$@" >&2
}
# The stand-in's counters since the last call, to $results/NAME-SIDE.calls.json.
calls_to() { standin stats >"$results/$1-$cur.calls.json" && standin reset; }

echo "== fan-out: exec over 100 accounts at 60 ms and 1,000 accounts at 20 ms, cold (org stand-in) ==" >&2
(
    STANDIN_ARGS=(--accounts 1000 --ous 40)
    # shellcheck source=scripts/standin-env.sh
    source scripts/standin-env.sh
    for s in "${sides[@]}"; do
        side "$s"
        standin config '{"latency_ms": 0}'
        "$x" accounts --refresh >/dev/null
        snapshot listed # the account list cached, no session
        standin reset
        standin config '{"latency_ms": 60}'
        for j in 1 8 32; do
            runs=5 && [ "$j" = 1 ] && runs=3
            hf "exec100-j$j" --runs "$runs" --prepare "$(restore_cmd listed)" \
                -n "exec --accounts 'acct-000??' -j $j -- true" "$x exec --accounts acct-000?? -j $j -- true"
            calls_to "exec100-j$j"
        done
        standin config '{"latency_ms": 20}'
        hf exec1000-j32 --runs 3 --prepare "$(restore_cmd listed)" -n "exec --all -j 32 -- true" "$x exec --all -j 32 -- true"
        calls_to exec1000-j32
        hf exec1000-j1 --runs 2 --prepare "$(restore_cmd listed)" -n "exec --all -j 1 -- true" "$x exec --all -j 1 -- true"
        calls_to exec1000-j1
    done
)

echo "== interactive paths at 10,000 accounts and 10,000 cached sessions (org stand-in) ==" >&2
(
    STANDIN_ARGS=(--accounts 10000 --ous 300)
    # shellcheck source=scripts/standin-env.sh
    source scripts/standin-env.sh
    for s in "${sides[@]}"; do
        side "$s"
        "$x" accounts --refresh >/dev/null
        "$x" assume DEMO >/dev/null
        snapshot one # the list of 10,000 and one session
        # Each store is written by the binary itself: DEMO and 100 sessions through
        # xacct; then, for the single-file layout, copies of those entries up to
        # 10,000 (scripts/bench_seed.py), else xacct exec --all over every account.
        "$x" exec --accounts 'acct-000??' -j 32 -- true >/dev/null 2>&1
        if [ -f "$XDG_CACHE_HOME/xacct/credentials.toml" ]; then
            python3 scripts/bench_seed.py "$XDG_CACHE_HOME/xacct/credentials.toml" 10000
        else
            "$x" exec --all -j 32 -- true >/dev/null 2>"$results/seed-$s.log" || { tail -5 "$results/seed-$s.log" >&2; exit 1; }
        fi
        echo "$s: $("$x" cache list 2>/dev/null | wc -l) lines in xacct cache list; $(du -sk "$XDG_CACHE_HOME/xacct" | cut -f1) KB of cache" >&2
        snapshot full
        demo_env="$("$x" assume DEMO)"
        for store in one full; do
            restore "$store"
            hf "hit-$store" --warmup 10 --runs 100 \
                -n 'assume DEMO (by name)' "$x assume DEMO" \
                -n "assume $demo_id (by ID)" "$x assume $demo_id"
            (
                eval "$demo_env"
                hf "whoami-$store" --warmup 10 --runs 100 -n 'whoami --short' "$x whoami --short"
            )
        done
        hf accounts-cached --warmup 3 --runs 30 -n 'accounts (cached list of 10,000)' "$x accounts"
        (
            export _CLAP_IFS=$'\013' _CLAP_COMPLETE_INDEX=2 XACCT_COMPLETE=bash
            [ -n "$("$x" -- xacct assume acct-0)" ] || { echo "$s: no completions for acct-0" >&2; exit 1; }
            hf complete --warmup 3 --runs 30 -n 'XACCT_COMPLETE=bash xacct -- xacct assume acct-0' "$x -- xacct assume acct-0"
        )
        python3 scripts/bench_picker.py --runs 20 --name "assume (picker, first screen)" \
            --until '(?:[0-9]{12}.*?){6}' --export-json "$results/picker-$s.json" -- "$x" assume
    done
)

for n in 200 1000; do
    echo "== accounts --refresh at 60 ms latency, $n accounts (org stand-in) ==" >&2
    (
        ous=20 && [ "$n" = 1000 ] && ous=40
        STANDIN_ARGS=(--accounts "$n" --ous "$ous" --latency-ms 60)
        # shellcheck source=scripts/standin-env.sh
        source scripts/standin-env.sh
        for s in "${sides[@]}"; do
            side "$s"
            # Every run from an empty cache: a list cached with OU paths would
            # make a plain --refresh fetch them again (the detail is kept).
            snapshot empty
            "$x" accounts --refresh >/dev/null && calls_to "list$n-plain"
            restore empty
            "$x" accounts --refresh --ou-paths >/dev/null && calls_to "list$n-ou"
            hf "list$n" --warmup 1 --runs 5 --prepare "$(restore_cmd empty)" \
                -n 'accounts --refresh' "$x accounts --refresh" \
                -n 'accounts --refresh --ou-paths' "$x accounts --refresh --ou-paths"
            standin reset
        done
        cur=cli
        "$aws" organizations list-accounts --page-size 20 >/dev/null && calls_to "list$n-aws"
        hf "list$n" --warmup 1 --runs 5 -n 'aws organizations list-accounts --page-size 20' \
            "$aws organizations list-accounts --page-size 20"
    )
done

if [ "${SKIP_MOTO:-}" != 1 ]; then
    # How many requests of each action the sandbox saw since the last call of this.
    calls() {
        curl -s "$AWS_ENDPOINT_URL/_sandbox/requests" | "$root/.venv/bin/python" -c \
            'import collections, json, sys; print(json.dumps(collections.Counter(r["action"] for r in json.load(sys.stdin))))'
        curl -s -X POST "$AWS_ENDPOINT_URL/_sandbox/requests/clear" >/dev/null
    }

    echo "== moto: assume, cache hit and cold, against the AWS CLI and awsume ==" >&2
    (
        # shellcheck source=scripts/sandbox-env.sh
        source scripts/sandbox-env.sh
        # awsume and the AWS CLI read profiles; demo1's keys go in a credentials file.
        mkdir -p "$HOME/.aws"
        printf '[demo1]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$HOME/.aws/credentials"
        printf '[profile demo-ro]\nrole_arn = arn:aws:iam::%s:role/MemberReadOnlyAccess\nsource_profile = demo1\nregion = us-east-1\n' "$demo_id" >"$HOME/.aws/config"
        role_arn="arn:aws:iam::$demo_id:role/MemberReadOnlyAccess"
        for s in "${sides[@]}"; do
            side "$s"
            "$x" accounts >/dev/null # the account list is cached, as in daily use
            snapshot listed
            "$x" assume demo MemberReadOnlyAccess >/dev/null
            # The floor: an empty store but for this one session, 26 accounts.
            hf hit --warmup 20 --runs 300 \
                -n 'process start (/bin/true)' '/bin/true' \
                -n 'hello world (Rust, rustc -O)' "$hello" \
                -n 'xacct --version (binary start only)' "$x --version" \
                -n 'xacct assume (cache hit)' "$x assume demo MemberReadOnlyAccess"
        done
        side after
        hyperfine -N --style basic --warmup 3 --runs 30 --export-json "$results/others.json" \
            -n 'xacct assume (cache hit)' "$x assume demo MemberReadOnlyAccess" \
            -n 'awsume demo-ro (no role cache: AssumeRole)' "$awsume demo-ro" \
            -n 'aws sts assume-role (AWS CLI v1)' "$aws sts assume-role --role-arn $role_arn --role-session-name bench --profile demo1" >&2
        hyperfine -N --style basic --warmup 3 --runs 40 --export-json "$results/cold.json" --prepare "$(restore_cmd listed)" \
            -n 'xacct assume (cold: AssumeRole)' "$x assume demo MemberReadOnlyAccess" \
            -n 'aws sts assume-role (AWS CLI v1)' "$aws sts assume-role --role-arn $role_arn --role-session-name bench --profile demo1" >&2
    )

    echo "== moto: accounts on a 1,000-account organization (seeding takes about 40 s) ==" >&2
    (
        SANDBOX_ARGS=(--accounts 999)
        # shellcheck source=scripts/sandbox-env.sh
        source scripts/sandbox-env.sh
        side after
        snapshot empty
        calls >/dev/null
        "$x" accounts --refresh >/dev/null && calls >"$results/calls-xacct-accounts.json"
        snapshot listed # without OU paths: a plain --refresh keeps the detail of the cached list
        "$x" accounts --refresh --ou-paths >/dev/null && calls >"$results/calls-xacct-accounts-ou.json"
        "$aws" organizations list-accounts >/dev/null && calls >"$results/calls-aws-list-accounts.json"
        restore listed
        hyperfine -N --style basic --warmup 2 --runs 15 --export-json "$results/accounts.json" \
            -n 'xacct accounts (cached list)' "$x accounts" \
            -n 'xacct accounts --refresh' "$x accounts --refresh" \
            -n 'aws organizations list-accounts' "$aws organizations list-accounts" >&2
        hyperfine -N --style basic --warmup 2 --runs 15 --export-json "$results/accounts-ou.json" --prepare "$(restore_cmd empty)" \
            -n 'xacct accounts --refresh --ou-paths' "$x accounts --refresh --ou-paths" >&2
    )

    echo "== moto: exec --all over 200 accounts ==" >&2
    (
        SANDBOX_ARGS=(--accounts 199)
        # shellcheck source=scripts/sandbox-env.sh
        source scripts/sandbox-env.sh
        side after
        "$x" accounts >/dev/null
        snapshot listed
        "$x" exec --all -- true 2>/dev/null # every session cached, as after the first run
        calls >/dev/null
        hyperfine -N --style basic --warmup 1 --runs 5 --export-json "$results/exec.json" \
            -n 'xacct exec --all -j 1 -- true' "$x exec --all -j 1 -- true" \
            -n 'xacct exec --all -j 8 -- true' "$x exec --all -j 8 -- true" \
            -n 'xacct exec --all -j 32 -- true' "$x exec --all -j 32 -- true" >&2
        calls >"$results/calls-exec-warm.json"
        hyperfine -N --style basic --runs 3 --export-json "$results/exec-cold.json" --prepare "$(restore_cmd listed)" \
            -n 'xacct exec --all -j 1 -- true (cold: 200 AssumeRole)' "$x exec --all -j 1 -- true" \
            -n 'xacct exec --all -j 8 -- true (cold: 200 AssumeRole)' "$x exec --all -j 8 -- true" \
            -n 'xacct exec --all -j 32 -- true (cold: 200 AssumeRole)' "$x exec --all -j 32 -- true" >&2
        calls >"$results/calls-exec-cold.json"
    )
fi

"$root/.venv/bin/python" scripts/bench_report.py "$results" >BENCHMARKS.md
cat BENCHMARKS.md
