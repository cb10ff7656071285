#!/usr/bin/env python3
"""Turn a JMH JSON result of io.ferrite.bench.engine into the Markdown summary table (ratios vs Chronicle Map)."""
import json
import sys


def load(path):
    rows = {}
    for r in json.load(open(path)):
        cls, method = r["benchmark"].split(".")[-2:]
        op = method.replace("2Threads", "")
        impl = {"FerriteStoreBenchmark": "Ferrite", "ChronicleMapBenchmark": "Chronicle",
                "ConcurrentHashMapBenchmark": "CHM"}[cls]
        mode = r["params"].get("mode", "")
        dist = r["params"]["distribution"]
        alloc = r["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        rows[(impl, mode, op, dist, r["threads"])] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"],
                                                      alloc)
    return rows


def mops(v):
    return "%.2f ± %.2f" % (v[0] / 1e6, v[1] / 1e6) if v else "-"


def main():
    rows = load(sys.argv[1])
    cols = [("Ferrite", "ANONYMOUS"), ("Ferrite", "PERSISTENT"), ("Chronicle", "IN_MEMORY"),
            ("Chronicle", "PERSISTED"), ("CHM", "")]
    names = ["Ferrite anon", "Ferrite persistent", "Chronicle in-memory", "Chronicle persisted", "CHM"]
    print("Throughput in M ops/s (± 99.9% CI from JMH; 5 x 1 s iterations, 1 fork). Ratios are Ferrite over "
          "Chronicle Map (anon vs in-memory, persistent vs persisted).")
    print()
    print("| op | keys | threads | " + " | ".join(names) + " | Ferrite anon / Chronicle in-mem | "
          "Ferrite persistent / Chronicle persisted |")
    print("|---|---|---|" + "---|" * (len(names) + 2))
    for op in ("get", "put"):
        for dist in ("UNIFORM", "ZIPF"):
            for threads in (1, 2):
                vals = [rows.get((i, m, op, dist, threads)) for i, m in cols]
                if not any(vals):
                    continue

                def ratio(a, b):
                    return "%.2fx" % (a[0] / b[0]) if a and b else "-"
                print("| %s | %s | %d | %s | %s | %s |" % (
                    op, dist.lower(), threads, " | ".join(mops(v) for v in vals),
                    ratio(vals[0], vals[2]), ratio(vals[1], vals[3])))
    print()
    print("Allocation per operation from -prof gc (gc.alloc.rate.norm, B/op):")
    print()
    print("| op | keys | threads | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for op in ("get", "put"):
        for dist in ("UNIFORM", "ZIPF"):
            for threads in (1, 2):
                vals = [rows.get((i, m, op, dist, threads)) for i, m in cols]
                if not any(vals):
                    continue
                print("| %s | %s | %d | %s |" % (op, dist.lower(), threads,
                                                 " | ".join("%.3f" % v[2] if v else "-" for v in vals)))


if __name__ == "__main__":
    main()
