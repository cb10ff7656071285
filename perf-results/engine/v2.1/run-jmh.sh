#!/usr/bin/env bash
# JMH with -prof gc, one thread: Ferrite (anonymous store, LRU and W-TinyLFU), Chronicle Map (in memory) and
# ConcurrentHashMap, get and put, uniform and Zipf keys. Run from the repository root; JAR defaults to the bench jar.
set -euo pipefail
cd "$(dirname "$0")/../../.."
jar=${JAR:-bench/target/ferrite-benchmarks.jar}
out=perf-results/engine/v2.1
{
    echo "# uptime before: $(uptime)"
    java -jar "$jar" 'io\.ferrite\.bench\.engine\.FerriteStoreBenchmark\.(get|put)$' \
        -p mode=ANONYMOUS -p policy=LRU,WINDOW_TINY_LFU -prof gc -f 1 -wi 2 -i 3 \
        -rf json -rff $out/jmh-ferrite.json
    echo "# uptime between: $(uptime)"
    java -jar "$jar" 'io\.ferrite\.bench\.engine\.(ChronicleMapBenchmark|ConcurrentHashMapBenchmark)\.(get|put)$' \
        -p mode=IN_MEMORY -prof gc -f 1 -wi 2 -i 3 \
        -rf json -rff $out/jmh-others.json
    echo "# uptime after: $(uptime)"
} > $out/jmh-output.txt 2>&1
