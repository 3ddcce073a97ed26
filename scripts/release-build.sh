#!/usr/bin/env bash
# The release build as xacct ships it; prints the binary's path on stdout.
#   bash scripts/release-build.sh
#
# On Linux with glibc the binary is a static PIE (`crt-static`): still
# position-independent, so the kernel loads it at a random address (ASLR), but
# with no dynamic loader pass over libc, libgcc_s and their symbols at every
# start. A cache hit is a process start and a few file reads, so that pass was
# a fifth of it: in one run (BENCHMARKS.md, issue 11) the hit went from 1.8 ms
# to 1.4 ms against 0.8 ms for a hello world. glibc resolves host names and the
# local user's name (NSS files and dns) inside libc.a since 2.34, so nothing
# is loaded at run time. `crt-static` needs an explicit --target (it must not
# reach proc macros), hence target/<host>/release. Elsewhere: the plain build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
host="$(rustc -vV | sed -n 's/^host: //p')"
case "$host" in
    *-unknown-linux-gnu)
        RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static" \
            cargo build --release --locked --quiet --target "$host" >&2
        echo "$PWD/target/$host/release/xacct"
        ;;
    *)
        cargo build --release --locked --quiet >&2
        echo "$PWD/target/release/xacct"
        ;;
esac
