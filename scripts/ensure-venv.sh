#!/usr/bin/env bash
# Ensure ./.venv exists with scripts/requirements-test.txt installed.
#
# Idempotent: a hash of the requirements file is stamped into the venv after a
# successful install; when it matches (and the venv's python is usable) the
# script exits at once. Silent on success; on failure prints to stderr and
# exits non-zero. Concurrent callers serialise on a lock of the requirements
# file, so parallel test processes may all call it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
req="$here/requirements-test.txt"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"

die() {
    printf 'ensure-venv: %s\n' "$*" >&2
    exit 1
}

[ -f "$req" ] || die "missing $req"

req_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$req" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$req" | cut -d' ' -f1
    else
        cksum "$req" | cut -d' ' -f1,2
    fi
}

up_to_date() {
    [ -x "$venv/bin/python" ] && [ -f "$stamp" ] &&
        [ "$(cat "$stamp")" = "$want" ]
}

want="$(req_hash)"
up_to_date && exit 0

# Slow path: serialise with other callers, then re-check.
if command -v flock >/dev/null 2>&1; then
    exec 9<"$req"
    flock 9
    up_to_date && exit 0
fi

command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH"

# (Re)create the venv when it is missing or its interpreter is broken
# (e.g. the base python it pointed at was removed).
if ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2 ||
        die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

rm -f "$stamp"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" ||
    die "pip install -r $req failed"

printf '%s\n' "$want" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp"
