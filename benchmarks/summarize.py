#!/usr/bin/env python3
"""Turns a JMH JSON result (-rf json) into the README's table: median, min and max of the
measurement iterations, which on a shared, noisy machine say more than JMH's mean and error."""
import json
import statistics
import sys

rows = json.load(open(sys.argv[1]))
print("| benchmark | mode | median | min | max | unit |")
print("|---|---|---:|---:|---:|---|")
for r in rows:
    name = r["benchmark"].rsplit(".", 2)
    name = name[-2] + "." + name[-1]
    mode = r.get("params", {}).get("mode", "")
    it = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    fmt = lambda v: f"{v:,.1f}" if v >= 10 else f"{v:.2f}"
    print(f"| {name} | {mode} | {fmt(statistics.median(it))} | {fmt(min(it))} | {fmt(max(it))} | {r['primaryMetric']['scoreUnit']} |")
