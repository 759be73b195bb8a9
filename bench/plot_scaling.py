#!/usr/bin/env python3
"""Draws bench/run.sh --scaling's curves: plot_scaling.py scaling.json scaling.png

Left, requests per second against client connections; right, p50 and p99 latency; one colour per
table size. Connections on a log scale (1 to 512).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main(data_path, picture_path):
    data = json.load(open(data_path))
    points = data["points"]
    sizes = sorted({p["users"] for p in points})
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    for index, users in enumerate(sizes):
        curve = sorted((p for p in points if p["users"] == users), key=lambda p: p["connections"])
        connections = [p["connections"] for p in curve]
        colour = f"C{index}"
        label = f"{users:,} users"
        throughput.plot(connections, [p["rps"] for p in curve], "o-", color=colour, label=label)
        latency.plot(connections, [p["p50_ms"] for p in curve], "o--", color=colour, label=f"{label}, p50")
        latency.plot(connections, [p["p99_ms"] for p in curve], "s-", color=colour, label=f"{label}, p99")
    for axis in (throughput, latency):
        axis.set_xscale("log", base=2)
        axis.set_xticks([p for p in sorted({p["connections"] for p in points})])
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_xlabel("client connections (wrk)")
        axis.grid(True, which="major", alpha=0.3)
        axis.legend(fontsize=8)
    throughput.set_ylabel("GET /user/{id} per second")
    throughput.set_ylim(bottom=0)
    latency.set_yscale("log")
    latency.set_ylabel("latency, ms (log)")
    machine = data.get("machine", {})
    figure.suptitle(f"user-service, GET by id: {data['seconds_per_point']} s per point; "
                    f"{machine.get('cpus', '?')} CPUs ({machine.get('cpu', '?')}) shared by wrk, PostgreSQL and the service"
                    + (" (SMOKE: figures mean nothing)" if data.get("mode") == "smoke" else ""), fontsize=10)
    figure.tight_layout()
    figure.savefig(picture_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
