#!/usr/bin/env bash
# The xacct demo, start to finish, on a local stand-in for AWS:
#   1. builds xacct and installs pinned moto into .venv (first run: a few minutes),
#   2. starts moto on 127.0.0.1 and seeds an organization: 26 accounts, a member
#      account DEMO with the role MemberReadOnlyAccess trusting the management
#      account's IAM user demo1,
#   3. runs, as demo1: xacct accounts; eval "$(xacct assume demo MemberReadOnlyAccess)";
#      a caller-identity check; xacct url demo MemberReadOnlyAccess.
# Nothing leaves the machine: every request goes to 127.0.0.1, and HOME, the
# config and the cache are a temporary directory removed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -t 2 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain" >&2; }

cargo build --release --quiet
bash scripts/ensure-venv.sh
export PATH="$root/target/release:$PATH"

# shellcheck source=scripts/sandbox-env.sh
source scripts/sandbox-env.sh

echo "moto is serving an organization on $AWS_ENDPOINT_URL; you are IAM user demo1 of the management account." >&2

step "xacct whoami"
xacct whoami

step "xacct accounts"
xacct accounts

# shellcheck disable=SC2016 # printed, not run
step 'eval "$(xacct assume demo MemberReadOnlyAccess)"'
eval "$(xacct assume demo MemberReadOnlyAccess)"
echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID (expires $AWS_CREDENTIAL_EXPIRATION)"

step "xacct whoami    # the caller identity, now in DEMO"
identity="$(xacct whoami)"
echo "$identity"
case "$identity" in
    "arn:aws:sts::$demo_id:assumed-role/MemberReadOnlyAccess/"*) echo "ok: assumed MemberReadOnlyAccess in DEMO ($demo_id)" ;;
    *) echo "demo failed: unexpected identity $identity" >&2; exit 1 ;;
esac

step "xacct url demo MemberReadOnlyAccess --color blue"
xacct url demo MemberReadOnlyAccess --color blue
