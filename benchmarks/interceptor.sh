#!/usr/bin/env bash
# The @DistributedLocked interceptor's own cost on the in-memory backend (JMH, one thread, one fork).
#
#   benchmarks/interceptor.sh                 # all of InterceptorBenchmark: ~1 minute
#   benchmarks/interceptor.sh -wi 5 -i 10     # any JMH option: more iterations on a quiet machine
#
# Prints JMH's table (average ns per call) and saves it to benchmarks/target/interceptor-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
mkdir -p benchmarks/target
out="benchmarks/target/interceptor-$(date +%Y%m%d-%H%M%S).txt"
java -Djava.io.tmpdir="$PWD/benchmarks/target" -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  org.openjdk.jmh.Main 'io.distlock.benchmarks.interceptor.InterceptorBenchmark' "$@" | tee "$out"
echo "(saved to $out)" >&2
