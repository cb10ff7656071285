#!/bin/sh
# Builds the benchmarks jar and runs the latency harness against a Ferrite single node, Redis (must already run on
# 127.0.0.1:6379) and a 3-member replicated Ferrite group, all in one run; results go to perf-results/latency/$1.
# Extra arguments are passed to the harness (see LatencyHarness --help).
set -e
cd "$(dirname "$0")/../.."
RUN_DIR=${1:-run-$(date -u +%Y%m%dT%H%M%SZ)}
[ $# -gt 0 ] && shift
nice ./mvnw -q -o -DskipTests -Dcheckstyle.skip -pl bench -am package
OUT=perf-results/latency/$RUN_DIR
mkdir -p "$OUT"
sh perf-results/machine.sh > "$OUT/machine.txt"
java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xms1g -Xmx1g -XX:+UseSerialGC \
    -cp bench/target/ferrite-benchmarks.jar io.ferrite.bench.latency.LatencyHarness \
    --modes=async,sync --rate=10000 --warmup=5 --duration=20 --get-ratio=0.9 --value-size=100 --keys=100000 \
    --saturation-window=64 --saturation-warmup=3 --saturation-duration=10 --out="$OUT" "$@" | tee "$OUT/console.txt"
echo "uptime after: $(uptime)" >> "$OUT/machine.txt"
