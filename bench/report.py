#!/usr/bin/python3
"""Prints bench runs as a table and saves them as JSON. Reads lines of run_one (bench/lib.sh) on stdin:
"label tracer req/s p99_ms requests cpu_s_per_1k rss_mb whole gap drops", "-" where not applicable.
Each run's req/s is compared with the mean untraced run of its label, and so is its p99.
Usage: report.py OUT.json"""
import json
import os
import sys

FIELDS = ["label", "tracer", "req_per_s", "p99_ms", "requests", "cpu_s_per_1k", "rss_mb", "whole", "gap", "drops"]


def value(key, text):
    if key in ("label", "tracer"):
        return text
    try:
        return None if text == "-" else float(text)
    except ValueError:
        return None


def mean(rows, label, key):
    values = [r[key] for r in rows if r["label"] == label and r["tracer"] == "none" and r[key] is not None]
    return sum(values) / len(values) if values else None


def show(v, fmt):
    width = int("".join(c for c in fmt.split(".")[0] if c.isdigit()) or 0)
    return "-".rjust(width) if v is None else format(v, fmt)


rows = [{k: value(k, v) for k, v in zip(FIELDS, line.split())} for line in sys.stdin if line.strip()]
placement = os.environ.get("BENCH_PLACEMENT", "")
if placement:
    print(f"placement: {placement}")
print(f"{'run':6} {'tracer':8} {'req/s':>9} {'vs_none':>7} {'p99_ms':>8} {'+p99_ms':>8} {'cpu_s/1k':>9} {'rss_MB':>6} "
      f"{'whole/requests':>15} {'gap':>7} {'drops':>7}")
for r in rows:
    base, base_p99 = mean(rows, r["label"], "req_per_s"), mean(rows, r["label"], "p99_ms")
    r["vs_untraced"] = round(r["req_per_s"] / base, 3) if base and r["req_per_s"] is not None else None
    r["added_p99_ms"] = round(r["p99_ms"] - base_p99, 3) if base_p99 is not None and r["p99_ms"] is not None else None
    got = f"{r['whole']:.0f}/{r['requests']:.0f}" if r["whole"] is not None and r["requests"] is not None else "-"
    print(f"{r['label']:6} {r['tracer']:8} {show(r['req_per_s'], '9.0f')} {show(r['vs_untraced'], '7.2f')} "
          f"{show(r['p99_ms'], '8.2f')} {show(r['added_p99_ms'], '+8.2f')} {show(r['cpu_s_per_1k'], '9.4f')} "
          f"{show(r['rss_mb'], '6.0f')} {got:>15} {show(r['gap'], '7.0f')} {show(r['drops'], '7.0f')}")
with open(sys.argv[1], "w") as out:
    json.dump({"placement": placement, "runs": rows}, out, indent=1)
