#!/usr/bin/env bash
# Runs every benchmark side by side and prints a table of ops/s and a table of ratios ours / peer.
#
#   benchmarks/run.sh                      # embedded servers on free ports (as the tests use), full run
#   benchmarks/run.sh --external           # the local services instead: Redis 6379, PostgreSQL 5432 db test
#   benchmarks/run.sh --cluster            # Redis as a local 3-master Redis Cluster (started like the tests')
#   benchmarks/run.sh threads=4 rounds=2   # any key=value of BenchmarkConfig: backends, threads, rounds,
#                                          # seconds, warmup, handover, spinMicros, only, external, cluster
#
# A full run takes about 10 minutes on 2 cores. The tables also go to benchmarks/target/results-*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  case "$arg" in
    --external) args+=("external=true") ;;
    --cluster) args+=("cluster=true") ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done
./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
mkdir -p benchmarks/target
out="benchmarks/target/results-$(date +%Y%m%d-%H%M%S).md"
java -Xmx1g -Djava.io.tmpdir="$PWD/benchmarks/target" -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  io.distlock.benchmarks.BenchmarkMain "${args[@]}" | tee "$out"
echo "(tables saved to $out)" >&2
