#!/bin/sh
# Builds the benchmarks jar and runs the migration harness: a partitioned cluster (3 member JVMs, 2 groups by
# default) preloaded and driven open loop while partitions move (throttled, unthrottled, unthrottled with no
# foreground load), then a closed-loop saturation run; results go to perf-results/partitioning/$1/migration.md.
# Extra arguments are passed to the harness (MigrationHarness --help); --groups=1 gives the one-group figures.
# Run it on a quiet machine: nothing else, no other benchmark, no test suite.
set -e
cd "$(dirname "$0")/../.."
RUN_DIR=${1:-run-$(date -u +%Y%m%dT%H%M%SZ)}
[ $# -gt 0 ] && shift
nice ./mvnw -q -o -DskipTests -Dcheckstyle.skip -pl bench -am package
OUT=perf-results/partitioning/$RUN_DIR
mkdir -p "$OUT"
sh perf-results/machine.sh > "$OUT/machine.txt"
java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xms1g -Xmx1g -XX:+UseSerialGC \
    -cp bench/target/ferrite-benchmarks.jar io.ferrite.bench.latency.MigrationHarness --out="$OUT" "$@" \
    | tee "$OUT/console.txt"
echo "uptime after: $(uptime)" >> "$OUT/machine.txt"
