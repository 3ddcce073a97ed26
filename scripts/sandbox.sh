#!/usr/bin/env bash
# A local AWS sandbox to try xacct by hand: moto on 127.0.0.1 seeded as in the
# demo (26 accounts in OUs, a member account DEMO with MemberReadOnlyAccess
# trusting the management account's IAM user demo1), plus the stand-in for the
# sign-in federation endpoint, so `xacct console --print` works offline too.
#
#   bash scripts/sandbox.sh            a shell ($SHELL) with the environment set;
#                                      exit it to stop everything
#   bash scripts/sandbox.sh COMMAND    runs COMMAND in that environment instead
#
# You act as demo1, in a temporary HOME that is removed at the end, with
# target/release on PATH; nothing leaves the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf 'sandbox: %s\n' "$*" >&2; }

say "building xacct (release; the first build takes about 4 minutes)"
cargo build --release --locked
say "checking pinned moto in .venv (the first run installs it: about a minute)"
bash scripts/ensure-venv.sh
say "starting moto and seeding the organization"
# shellcheck source=scripts/sandbox-env.sh
source scripts/sandbox-env.sh

# The stand-in serves until its stdin closes: it reads a FIFO this shell holds open.
mkfifo "$sandbox_home/federation.in"
"$root/.venv/bin/python" "$root/scripts/federation_standin.py" <"$sandbox_home/federation.in" >"$sandbox_home/federation.out" 2>/dev/null &
federation_pid=$!
exec {federation_in}>"$sandbox_home/federation.in"
for _ in $(seq 100); do [ -s "$sandbox_home/federation.out" ] && break; sleep 0.1; done
read -r federation_info <"$sandbox_home/federation.out" || { say "the federation stand-in did not start"; exit 1; }
XACCT_FEDERATION_ENDPOINT="$("$root/.venv/bin/python" -c 'import json, sys; print(json.loads(sys.argv[1])["endpoint"])' "$federation_info")"
export XACCT_FEDERATION_ENDPOINT
stop_all() {
    exec {federation_in}>&-
    kill "$federation_pid" 2>/dev/null || true
    wait "$federation_pid" 2>/dev/null || true
    sandbox_stop
}
trap stop_all EXIT
export PATH="$root/target/release:$PATH"

cat >&2 <<INFO
sandbox: ready. moto serves an organization on $AWS_ENDPOINT_URL; you are IAM user demo1
sandbox: of the management account; DEMO is $demo_id. The federation stand-in is $XACCT_FEDERATION_ENDPOINT.
sandbox: try: xacct accounts --ou-paths; eval "\$(xacct assume demo MemberReadOnlyAccess)"; xacct whoami;
sandbox:      xacct url demo MemberReadOnlyAccess; xacct console demo --print; xacct unset
INFO
if [ "$#" -gt 0 ]; then
    "$@"
else
    say "exit the shell to stop the sandbox"
    "${SHELL:-bash}" -i || true
fi
