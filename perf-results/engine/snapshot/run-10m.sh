#!/usr/bin/env bash
# The 10M-entry snapshot stall measurement (issue 11): a one-member group filled with 10M entries through the log,
# a get every 500 us, two snapshots per mode (blocking, background), then a restart from the last snapshot.
# Run from the repository root on a quiet machine; needs about 8 GB of free memory and /dev/shm space
# (store capacity 3 GB per mode plus the archive's log) and 15-30 minutes.
# Output: perf-results/engine/snapshot/stall-10m.txt (uptime before and after included).
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q -o -DskipTests -Dcheckstyle.skip package -pl bench -am
out=perf-results/engine/snapshot/stall-10m.txt
{
    echo "# uptime before: $(uptime)"
    echo "# $(date -u) $(nproc) cpus, $(java -version 2>&1 | head -1)"
    java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Dagrona.disable.bounds.checks=true \
        -Xms2g -Xmx2g -XX:+UseG1GC -cp bench/target/ferrite-benchmarks.jar \
        io.ferrite.bench.engine.SnapshotStall "${ENTRIES:-10000000}" 2>&1 | grep -E '^(STALL|LOAD|RESTART|FILL)|Exception'
    echo "# uptime after: $(uptime)"
} | tee "$out"
