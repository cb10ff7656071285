#!/usr/bin/env bash
# Datastore policies vs direct JDBC, interleaved in one run (three group members in one JVM, PostgreSQL at
# 127.0.0.1:5432 if it answers, else the embedded one). Prints DATASTORE_PERF lines; run from the repository root,
# outside any network namespace so the machine's PostgreSQL answers: nice -n 10 perf-results/datastore/run.sh
set -euo pipefail
mkdir -p replication/target
uptime
./mvnw -B -o verify -pl replication -am -Dcheckstyle.skip -Dferrite.excluded.groups=none -Dgroups=perf \
  -Dtest=DataStoreMeasurement -Dsurefire.failIfNoSpecifiedTests=false "$@" > replication/target/datastore-perf.log 2>&1 || true
grep -h 'DATASTORE_PERF\|TestDatabase' replication/target/surefire-reports/*DataStoreMeasurement-output.txt
uptime
