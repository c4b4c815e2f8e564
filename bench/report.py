#!/usr/bin/python3
"""Prints bench runs as a table and saves them as JSON. Reads lines of run_one (bench/lib.sh) on stdin, in the
order they ran: "label tracer req/s p99_ms requests cpu_s_per_1k rss_mb whole gap drops", "-" where not applicable.
Each traced run's req/s and p99 are compared with the untraced runs of its label just before and just after it
(bench/lib.sh's alternate puts one on either side): on a shared VM the machine's speed drifts within minutes, and a
comparison with untraced runs far away in time measured that drift. A summary then gives, per label and tracer,
the median ratio over the rounds with the lowest and highest.
Usage: report.py OUT.json"""
import json
import os
import statistics
import sys

FIELDS = ["label", "tracer", "req_per_s", "p99_ms", "requests", "cpu_s_per_1k", "rss_mb", "whole", "gap", "drops"]


def value(key, text):
    if key in ("label", "tracer"):
        return text
    try:
        return None if text == "-" else float(text)
    except ValueError:
        return None


def neighbours(rows, i):
    """The untraced runs of row i's label nearest before and after it (one of them when it is at an end)."""
    label = rows[i]["label"]
    before = next((r for r in reversed(rows[:i]) if r["label"] == label and r["tracer"] == "none"), None)
    after = next((r for r in rows[i + 1:] if r["label"] == label and r["tracer"] == "none"), None)
    return [r for r in (before, after) if r is not None]


def baseline(rows, i, key):
    values = [r[key] for r in neighbours(rows, i) if r[key] is not None]
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
for i, r in enumerate(rows):
    traced = r["tracer"] != "none"
    base = baseline(rows, i, "req_per_s") if traced else None
    base_p99 = baseline(rows, i, "p99_ms") if traced else None
    r["vs_untraced"] = round(r["req_per_s"] / base, 3) if base and r["req_per_s"] is not None else None
    r["added_p99_ms"] = round(r["p99_ms"] - base_p99, 3) if base_p99 is not None and r["p99_ms"] is not None else None
    got = f"{r['whole']:.0f}/{r['requests']:.0f}" if r["whole"] is not None and r["requests"] is not None else "-"
    print(f"{r['label']:6} {r['tracer']:8} {show(r['req_per_s'], '9.0f')} {show(r['vs_untraced'], '7.2f')} "
          f"{show(r['p99_ms'], '8.2f')} {show(r['added_p99_ms'], '+8.2f')} {show(r['cpu_s_per_1k'], '9.4f')} "
          f"{show(r['rss_mb'], '6.0f')} {got:>15} {show(r['gap'], '7.0f')} {show(r['drops'], '7.0f')}")

summary = []
groups = {}
for r in rows:
    if r["tracer"] != "none" and r["vs_untraced"] is not None:
        groups.setdefault((r["label"], r["tracer"]), []).append(r)
if groups:
    print()
    print(f"{'run':6} {'tracer':8} {'runs':>4} {'median vs_none':>14} {'lowest':>7} {'highest':>7} "
          f"{'median +p99_ms':>14} {'median cpu_s/1k':>15}")
for (label, tracer), runs in groups.items():
    ratios = [r["vs_untraced"] for r in runs]
    added = [r["added_p99_ms"] for r in runs if r["added_p99_ms"] is not None]
    costs = [r["cpu_s_per_1k"] for r in runs if r["cpu_s_per_1k"] is not None]
    entry = {"label": label, "tracer": tracer, "runs": len(runs), "median_vs_untraced": round(statistics.median(ratios), 3),
             "lowest_vs_untraced": min(ratios), "highest_vs_untraced": max(ratios),
             "median_added_p99_ms": round(statistics.median(added), 3) if added else None,
             "median_cpu_s_per_1k": round(statistics.median(costs), 4) if costs else None}
    summary.append(entry)
    print(f"{label:6} {tracer:8} {len(runs):4d} {entry['median_vs_untraced']:14.2f} {min(ratios):7.2f} {max(ratios):7.2f} "
          f"{show(entry['median_added_p99_ms'], '+14.2f')} {show(entry['median_cpu_s_per_1k'], '15.4f')}")
with open(sys.argv[1], "w") as out:
    json.dump({"placement": placement, "runs": rows, "summary": summary}, out, indent=1)
