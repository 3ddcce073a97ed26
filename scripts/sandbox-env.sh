# shellcheck shell=bash
# Sourced by the demo and the benchmarks: starts the seeded moto sandbox on
# 127.0.0.1 and points this shell at it as IAM user demo1 of the management
# account, in a temporary HOME that is removed on exit. Needs .venv (ensure-venv.sh).
# Optional input: SANDBOX_ARGS=(--accounts N).
# Sets: AWS_ENDPOINT_URL, demo1's keys, AWS_REGION, HOME/XDG dirs, demo_id, sandbox_port.

sandbox_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sandbox_home="$(mktemp -d)"
coproc SANDBOX { exec "$sandbox_root/.venv/bin/python" "$sandbox_root/scripts/moto_sandbox.py" ${SANDBOX_ARGS[@]+"${SANDBOX_ARGS[@]}"} 2>/dev/null; }
# shellcheck disable=SC2153 # set by coproc
sandbox_pid="$SANDBOX_PID"
sandbox_stop() {
    # Closing its stdin stops the sandbox; a kill makes sure.
    local fd="${SANDBOX[1]:-}"
    if [ -n "$fd" ]; then exec {fd}>&-; fi
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    rm -rf "$sandbox_home"
}
trap sandbox_stop EXIT
read -r sandbox_info <&"${SANDBOX[0]}" || { echo "the moto sandbox did not start" >&2; exit 1; }
sandbox_field() {
    "$sandbox_root/.venv/bin/python" -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval("d" + sys.argv[2]))' "$sandbox_info" "$1"
}

# Nothing AWS- or xacct-related from the caller's environment.
for var in $(compgen -e | grep -E '^(AWS_|XACCT_)'); do unset "$var"; done
export HOME="$sandbox_home" XDG_CONFIG_HOME="$sandbox_home/.config" XDG_CACHE_HOME="$sandbox_home/.cache"
export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
AWS_ENDPOINT_URL="$(sandbox_field '["endpoint"]')"
AWS_ACCESS_KEY_ID="$(sandbox_field '["demo1"]["access_key_id"]')"
AWS_SECRET_ACCESS_KEY="$(sandbox_field '["demo1"]["secret_access_key"]')"
export AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
demo_id="$(sandbox_field '["demo_account_id"]')"
sandbox_port="$(sandbox_field '["port"]')"
export demo_id sandbox_port
