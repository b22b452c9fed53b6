#!/bin/sh
# The flash-sale demo: builds the sample (skipping tests), then starts several instances of it as separate JVMs
# against one shared database and prints stock, sold and oversold with the lock and without it.
# Needs only a JDK 17+. Arguments go to the demo, e.g.:
#   samples/flash-sale/demo.sh --instances=4 --stock=20 --buyers=100
#   samples/flash-sale/demo.sh --spring.profiles.active=redis      (a Redis on localhost:6379 keeps the locks)
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
./mvnw -B -q -pl samples/flash-sale -am package -Dmaven.test.skip=true
if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
exec "$java" -jar samples/flash-sale/target/flash-sale.jar --demo "$@"
