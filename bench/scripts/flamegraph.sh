#!/bin/sh
# A flame graph of the whole machine (Casus, its clients and PostgreSQL)
# while casus-bench runs commands through HTTP with 16 clients.
#
#   bench/scripts/flamegraph.sh OUT.svg [casus-bench binary]
#
# Needs perf and inferno (cargo install inferno) and DATABASE_URL; see
# docs/performance.md.
set -eu
out=${1:?usage: flamegraph.sh OUT.svg [casus-bench]}
bench=${2:-./target/release/casus-bench}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

RUST_LOG=warn,casus_bench=info "$bench" --quick --seconds 10 >"$work/table" 2>"$work/log" &
pid=$!
until grep -aq 'started.*concurrency.*16' "$work/log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.2
done
sleep 1
perf record -a -F 199 --call-graph dwarf,16384 -o "$work/perf.data" -- sleep 6 2>/dev/null
perf script -i "$work/perf.data" 2>/dev/null | inferno-collapse-perf >"$work/folded"
inferno-flamegraph --minwidth 1 --title "casus-bench: 16 clients of commands" <"$work/folded" >"$out"
# Where the CPU went, by process name.
perf report -i "$work/perf.data" --sort comm --stdio --no-children -g none 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -8
# The folded stacks too, if asked for (FOLDED=file), to compare two runs.
if [ -n "${FOLDED:-}" ]; then cp "$work/folded" "$FOLDED"; fi
wait "$pid"
grep -E 'commands/s through HTTP, 16' "$work/table"
