#!/usr/bin/env bash
# Runs the benchmarks: builds if needed, pins the load generator to core 1
# (the nodes it starts pin themselves to core 0), prints the table and writes
# docs/benchmarks.md. Extra arguments go to the benchmark (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f http-verticle/target/chat-node.jar ] || [ ! -f bench/target/chat-bench.jar ]; then
  mvn -B -q package -DskipTests
fi
pin=(taskset -c 1)
command -v taskset >/dev/null || { echo "taskset not found: running unpinned"; pin=(); set -- --no-pin "$@"; }
exec "${pin[@]}" java -Xms1g -Xmx4g -jar bench/target/chat-bench.jar "$@"
