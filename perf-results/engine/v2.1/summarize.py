#!/usr/bin/env python3
"""Markdown table from run-jmh.sh's two JSON files: M ops/s (± JMH's 99.9% interval) and gc.alloc.rate.norm B/op."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
rows = {}
for name in ("jmh-ferrite.json", "jmh-others.json"):
    path = os.path.join(here, name)
    if not os.path.exists(path):
        continue
    for r in json.load(open(path)):
        cls, op = r["benchmark"].split(".")[-2:]
        impl = {"FerriteStoreBenchmark": "Ferrite " + r["params"].get("policy", ""),
                "ChronicleMapBenchmark": "Chronicle", "ConcurrentHashMapBenchmark": "CHM"}[cls]
        alloc = r["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        rows[(impl, op, r["params"]["distribution"])] = (
            r["primaryMetric"]["score"] / 1e6, r["primaryMetric"]["scoreError"] / 1e6, alloc)

impls = ["Ferrite LRU", "Ferrite WINDOW_TINY_LFU", "Chronicle", "CHM"]
print("| op | keys | " + " | ".join(impls) + " | Ferrite LRU / Chronicle | W-TinyLFU / LRU | B/op (" +
      ", ".join(impls) + ") |")
print("|---|---|" + "---|" * (len(impls) + 3))
for op in ("get", "put"):
    for dist in ("UNIFORM", "ZIPF"):
        cells, allocs = [], []
        for impl in impls:
            v = rows.get((impl, op, dist))
            cells.append("%.2f ± %.2f" % v[:2] if v else "-")
            allocs.append("%.3f" % v[2] if v else "-")
        lru, tiny, chron = (rows.get((i, op, dist)) for i in impls[:3])
        ratio = "%.2fx" % (lru[0] / chron[0]) if lru and chron else "-"
        policy = "%.2fx" % (tiny[0] / lru[0]) if lru and tiny else "-"
        print("| %s | %s | %s | %s | %s | %s |" % (op, dist.lower(), " | ".join(cells), ratio, policy,
                                                 ", ".join(allocs)))
