#!/usr/bin/env bash
# The xacct demo, start to finish, on a local stand-in for AWS:
#   1. builds xacct and installs pinned moto into .venv (first run: a few minutes),
#   2. starts moto on 127.0.0.1 and seeds an organization: 26 accounts, a member
#      account DEMO with the role MemberReadOnlyAccess trusting the management
#      account's IAM user demo1,
#   3. runs, as demo1: xacct accounts; eval "$(xacct assume demo MemberReadOnlyAccess)";
#      xacct whoami (and `aws sts get-caller-identity` when the AWS CLI is
#      installed: a second client accepting the exports); xacct url.
# Nothing leaves the machine: every request goes to 127.0.0.1, and HOME, the
# config and the cache are a temporary directory removed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -t 2 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain" >&2; }
stage() { printf '%sdemo: %s%s\n' "$bold" "$*" "$plain" >&2; }

# The first run compiles the AWS SDK (about 4 minutes on 2 cores) and installs
# moto (about a minute); later runs take seconds. Cargo shows its own progress.
stage "building xacct (release; the first build takes about 4 minutes)"
cargo build --release --locked
stage "checking pinned moto in .venv (the first run installs it: about a minute)"
bash scripts/ensure-venv.sh
stage "starting moto and seeding the organization"
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

if command -v aws >/dev/null 2>&1; then
    step "aws sts get-caller-identity    # another client takes the same exports"
    aws sts get-caller-identity --output text --query Arn
fi

step "xacct url demo MemberReadOnlyAccess --color blue"
xacct url demo MemberReadOnlyAccess --color blue
