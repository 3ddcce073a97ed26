#!/usr/bin/env bash
# Builds xacct as it ships (scripts/release-build.sh: a static PIE on Linux
# with glibc) and installs it into Cargo's bin directory, as `cargo install` would.
#   bash scripts/install.sh            (to ${CARGO_HOME:-~/.cargo}/bin)
#   PREFIX=/usr/local bash scripts/install.sh   (to /usr/local/bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary="$(bash scripts/release-build.sh)"
bin_dir="${PREFIX:-${CARGO_HOME:-$HOME/.cargo}}/bin"
mkdir -p "$bin_dir"
install -m 0755 "$binary" "$bin_dir/xacct"
echo "installed $bin_dir/xacct" >&2
