#!/bin/sh
# The scheduled-report demo: builds the sample (skipping tests), then starts several instances of it as separate JVMs
# whose clocks are a few hundred milliseconds apart, sharing one lock store, and prints how often each window's
# report was built, with the lock (whenLocked = SKIP and minHoldTime), with the lock but no minHoldTime, and without it.
# Needs only a JDK 17+. Arguments go to the demo, e.g.:
#   samples/scheduled-report/demo.sh --instances=4 --windows=10 --window=4s --skew=300ms
#   samples/scheduled-report/demo.sh --spring.profiles.active=redis      (a Redis on localhost:6379 keeps the locks)
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
./mvnw -B -q -pl samples/scheduled-report -am package -Dmaven.test.skip=true
if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
exec "$java" -jar samples/scheduled-report/target/scheduled-report.jar --demo "$@"
