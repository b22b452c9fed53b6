#!/usr/bin/env bash
# The renewal scale scenario: one instance holds 1 000 and 10 000 locks with 3 s leases for 15 s, on Redis
# and on PostgreSQL with a pool of 10 connections; prints lost locks, renewal threads and round trips.
#
#   benchmarks/run-scale.sh                         # embedded redis-server and PostgreSQL on free ports
#   benchmarks/run-scale.sh --external              # the local services (Redis 6379, PostgreSQL 5432/test)
#   benchmarks/run-scale.sh locks=1000 backends=redis
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbenchmarks -pl benchmarks -am -DskipTests package
mkdir -p benchmarks/target
java -Xmx2g -Djava.io.tmpdir="$PWD/benchmarks/target" -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
  io.distlock.benchmarks.RenewalScaleMain "$@" | tee "benchmarks/target/scale-$(date +%Y%m%d-%H%M%S).md"
