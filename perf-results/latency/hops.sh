#!/bin/sh
# Hop breakdown (bench HopBreakdown): where a PUT's time goes on the single node and on a 3-member replicated
# group, at 1k and 10k PUT/s, with the kernel's timer slack (50 us, the default) and with 1 us slack (opt-in)
# on every backoff idle strategy). Results: perf-results/latency/$1/{node,replicated}-{1k,10k}-{slack50us,slack1us}/.
set -e
cd "$(dirname "$0")/../.."
RUN_DIR=${1:-hops-$(date -u +%Y%m%dT%H%M%SZ)}
nice ./mvnw -q -o -DskipTests -Dcheckstyle.skip -pl bench -am package
OUT=perf-results/latency/$RUN_DIR
mkdir -p "$OUT"
echo "uptime before: $(uptime)" > "$OUT/machine.txt"
for target in node replicated; do
    for rate in 1000 10000; do
        for slack in 50000 1000; do
            dir="$OUT/$target-$((rate / 1000))k-slack$((slack / 1000))us"
            java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xmx512m -Dferrite.idle.timer.slack.ns=$slack \
                -cp bench/target/ferrite-benchmarks.jar io.ferrite.bench.latency.HopBreakdown --target=$target \
                --out="$dir" --rate=$rate --count=$((rate * 5)) --warmup=$((rate * 2)) \
                --member-flag=-Dferrite.replication.idle.timer.slack.ns=$slack > "$dir.txt" 2>&1 || { cat "$dir.txt"; exit 1; }
            rm -f "$dir"/*.hops
            echo "$target $rate/s slack $slack ns: $(grep -E '^\| total ' "$dir/hops.md")"
        done
    done
done
echo "uptime after: $(uptime)" >> "$OUT/machine.txt"
