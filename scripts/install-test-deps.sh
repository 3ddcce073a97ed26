#!/usr/bin/env bash
# Installs what the test suite needs besides Rust: the shells the generated code
# is run in (bash, dash, zsh, fish), shellcheck, tmux (a real terminal for the
# picker and completion tests), man (renders `xacct man`), ps (the sign-in link
# must not show in other processes' view), and pinned moto in .venv.
# Quiet and quick when everything is already there; loud and non-zero when
# something cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
for tool in bash dash zsh fish shellcheck tmux man ps python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    packages=()
    for tool in "${missing[@]}"; do
        case "$tool" in
            python3) packages+=(python3 python3-venv) ;;
            man) packages+=(man-db groff-base) ;;
            ps) packages+=(procps) ;;
            *) packages+=("$tool") ;;
        esac
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "install-test-deps: installing ${packages[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    else
        echo "install-test-deps: missing ${missing[*]}: install ${packages[*]} with your package manager" >&2
        exit 1
    fi
fi

bash "$root/scripts/ensure-venv.sh"
