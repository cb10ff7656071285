#!/usr/bin/env bash
# GC benchmark: 5M entries, 90% get / 10% put at a fixed rate for 60 s, G1 defaults, one JVM per store.
# Usage: perf-results/engine/gc/run.sh [entries] [seconds] [ops per second] [output directory]
#        (from the repository root; the output directory defaults to perf-results/engine/gc)
set -euo pipefail
ENTRIES=${1:-5000000}
SECONDS_=${2:-60}
RATE=${3:-200000}
OUT=${4:-perf-results/engine/gc}
mkdir -p "$OUT"
JAR=bench/target/ferrite-benchmarks.jar
FLAGS="--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Dagrona.disable.bounds.checks=true -XX:+UseG1GC"
{ date -u; uptime; nproc; java -version 2>&1 | head -1; } > $OUT/machine.txt
for store in ferrite chm caffeine; do
    echo "$store: java $FLAGS -Xlog:gc:file=$OUT/$store.log -cp $JAR io.ferrite.bench.engine.GcBenchmark" \
        "$store $ENTRIES $SECONDS_ $RATE" >> $OUT/machine.txt
    java $FLAGS -Xlog:gc:file=$OUT/$store.log -cp $JAR io.ferrite.bench.engine.GcBenchmark \
        $store $ENTRIES $SECONDS_ $RATE > $OUT/$store.out 2>&1
    uptime >> $OUT/machine.txt
done
java -cp $JAR io.ferrite.bench.engine.GcReport $OUT ferrite chm caffeine
