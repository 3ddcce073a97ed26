#!/usr/bin/env bash
# Renders the page of `xacct generate links` in headless Chromium and saves a
# screenshot, to check by eye that the page renders (grouped by OU, colored,
# with its search box). Installs Debian's chromium when missing (as root).
#   bash scripts/render-links.sh [OUT.png]     (default target/links.png)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-$root/target/links.png}"
if ! command -v chromium >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "install chromium first" >&2; exit 1; }
    apt-get install -y -qq chromium >/dev/null
fi
cargo build --release --locked --quiet
bash scripts/ensure-venv.sh
# shellcheck source=scripts/sandbox-env.sh
source scripts/sandbox-env.sh
page="$sandbox_home/links.html"
"$root/target/release/xacct" generate links --role ReadOnly --role OrganizationAccountAccessRole > "$page"
# The flags keep Chromium off the network: the page is a local file.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$sandbox_home/chromium" --window-size=1100,1500 \
    --screenshot="$out" "file://$page" 2>/dev/null
echo "screenshot: $out" >&2
