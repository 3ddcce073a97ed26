# shellcheck shell=bash
# Sourced by the benchmarks: starts the org stand-in (scripts/org_standin.py) on
# 127.0.0.1 and points this shell at it, in a temporary HOME that is removed on
# exit. Standard-library Python only.
# Optional input: STANDIN_ARGS=(--accounts N --latency-ms MS ...).
# Sets: AWS_ENDPOINT_URL, keys (any are accepted), AWS_REGION, HOME/XDG dirs,
# demo_id, standin_port; defines standin (GET/POST to the control API).

standin_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
standin_home="$(mktemp -d)"
coproc STANDIN { exec python3 "$standin_root/scripts/org_standin.py" ${STANDIN_ARGS[@]+"${STANDIN_ARGS[@]}"}; }
# shellcheck disable=SC2153 # set by coproc
standin_pid="$STANDIN_PID"
standin_stop() {
    # Closing its stdin stops the stand-in; a kill makes sure.
    local fd="${STANDIN[1]:-}"
    if [ -n "$fd" ]; then exec {fd}>&-; fi
    kill "$standin_pid" 2>/dev/null || true
    wait "$standin_pid" 2>/dev/null || true
    rm -rf "$standin_home"
}
trap standin_stop EXIT
read -r standin_info <&"${STANDIN[0]}" || { echo "the org stand-in did not start" >&2; exit 1; }
standin_field() {
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$standin_info" "$1"
}

for var in $(compgen -e | grep -E '^(AWS_|XACCT_)'); do unset "$var"; done
export HOME="$standin_home" XDG_CONFIG_HOME="$standin_home/.config" XDG_CACHE_HOME="$standin_home/.cache"
export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
AWS_ENDPOINT_URL="$(standin_field endpoint)"
AWS_ACCESS_KEY_ID="$(standin_field access_key_id)"
AWS_SECRET_ACCESS_KEY="$(standin_field secret_access_key)"
export AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
demo_id="$(standin_field demo_account_id)"
standin_port="$(standin_field port)"
export demo_id standin_port

# standin stats | standin reset | standin config '{"latency_ms": 60}'
standin() {
    case "$1" in
        stats) curl -sf "$AWS_ENDPOINT_URL/_standin/stats" ;;
        reset) curl -sf -X POST "$AWS_ENDPOINT_URL/_standin/reset" >/dev/null ;;
        config) curl -sf -X POST -d "$2" "$AWS_ENDPOINT_URL/_standin/config" >/dev/null ;;
        *) echo "standin stats|reset|config JSON" >&2; return 2 ;;
    esac
}
