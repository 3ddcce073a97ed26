#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need,
# then runs every unit and integration test (moto on 127.0.0.1, real shells),
# and ends with one line totalling what ran.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-test-deps.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked --all-targets "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "total: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
