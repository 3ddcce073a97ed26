#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need,
# then runs every unit and integration test (moto on 127.0.0.1, real shells).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-test-deps.sh
cargo test --locked "$@"
