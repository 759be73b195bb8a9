#!/usr/bin/env python3
"""Draws the Grafana dashboard resources/dashboard.json as one PNG, from a live Prometheus.

No Grafana is needed: every row and panel is laid out at its gridPos with its title, unit,
legend and thresholds, and each panel's own PromQL runs against Prometheus over the last N
minutes, with the template variables and $__rate_interval substituted as Grafana would.
Panels whose source exists only in a cluster (ingress-nginx, kube-state-metrics, cAdvisor)
say so instead of drawing nothing.

    python3 scripts/render-dashboard.py --prometheus http://127.0.0.1:9090 --minutes 5 \\
        --out assets/load_testing.png [--var namespace=hw3] [--report target/dashboard.json]

Needs matplotlib (Debian: apt-get install python3-matplotlib).
"""
import argparse
import json
import math
import re
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# A metric of one of these families comes from an exporter only a cluster runs.
CLUSTER_SOURCES = {
    "nginx_ingress_controller_": "ingress-nginx controller",
    "envoy_": "Envoy Gateway's proxies",
    "kube_": "kube-state-metrics",
    "container_": "cAdvisor (kubelet)",
    "cnpg_": "the CloudNativePG operator's instances",
    "barman_cloud_": "the Barman Cloud Plugin (CloudNativePG)",
}
GRID_ROW_PX = 36  # one unit of Grafana's gridPos height, in pixels of the picture
GRID_COL_PX = 92  # one of Grafana's 24 columns
HEADER_PX = 60
DPI = 100
COLORS = {"green": "#56a64b", "orange": "#ff9830", "red": "#e02f44", "yellow": "#fade2a", "blue": "#3274d9",
          "super-light-green": "#c8f2c2", "dark-red": "#ad0317"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", required=True, help="base URL, such as http://127.0.0.1:9090")
    parser.add_argument("--minutes", type=float, default=5, help="the time range, ending now")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--dashboard", default=str(ROOT / "resources" / "dashboard.json"))
    parser.add_argument("--var", action="append", default=[], help="name=value; unset variables mean All")
    parser.add_argument("--scrape-interval", type=float, default=5, help="seconds; Grafana's $__rate_interval uses it")
    parser.add_argument("--report", help="also write a JSON report: each panel and whether it drew data")
    return parser.parse_args()


class Prometheus:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def get(self, path, **params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"{path}: {body}")
        return body["data"]

    def range(self, expr, start, end, step):
        return self.get("/api/v1/query_range", query=expr, start=start, end=end, step=step)["result"]

    def instant(self, expr, at):
        return self.get("/api/v1/query", query=expr, time=at)["result"]


def variables(dashboard, given):
    """Each variable's value as Grafana puts it into a query: a given value, or All as a regex."""
    values = {}
    for variable in dashboard.get("templating", {}).get("list", []):
        name = variable["name"]
        if name in given:
            values[name] = given[name]
        elif variable.get("type") == "custom":
            values[name] = variable.get("query", "").split(",")[0].strip()
        elif variable.get("type") != "datasource":
            values[name] = variable.get("allValue") or ".*"
    return values


def substitute(expr, values, rate_interval):
    expr = expr.replace("$__rate_interval", rate_interval)
    for name in sorted(values, key=len, reverse=True):  # $instance before $inst
        expr = expr.replace("${" + name + "}", values[name]).replace("$" + name, values[name])
    return expr


def cluster_source(exprs):
    """The cluster-only source of a panel all of whose metrics come from one; None when any metric
    can exist off-cluster (a panel may read pg_* or cnpg_*, whichever is there)."""
    sources = set()
    for name in re.findall(r"\b([a-z_][a-z0-9_]*)\{", " ".join(exprs)):
        source = next((s for prefix, s in CLUSTER_SOURCES.items() if name.startswith(prefix)), None)
        if source is None:
            return None
        sources.add(source)
    return " and ".join(sorted(sources)) or None


def accounts_only(exprs):
    """A panel of the accounts row (API 1.2): it reads auth_* series, or only 401 and 403 answers,
    which exist only where auth.enabled (AUTH_MODE=oidc) is on."""
    text = " ".join(exprs)
    return bool(re.search(r"\bauth_[a-z_]+\{", text)) or 'status=~"401|403"' in text


def formatter(unit):
    """Tick and value text for Grafana's common units."""
    def scaled(value, steps, suffix=""):
        for factor, name in steps:
            if abs(value) >= factor:
                return f"{value / factor:.3g} {name}{suffix}".strip()
        return f"{value:.3g}{suffix}"

    def fmt(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        if unit == "s":
            return scaled(value, [(1, "s"), (1e-3, "ms"), (1e-6, "µs")]) if value else "0 s"
        if unit == "percentunit":
            return f"{value * 100:.3g}%"
        if unit == "bytes":
            return scaled(value, [(2 ** 30, "GiB"), (2 ** 20, "MiB"), (2 ** 10, "KiB")], "") + ("" if abs(value) >= 1024 else " B")
        if unit in ("reqps", "ops", "rowsps"):
            return scaled(value, [(1e6, "M"), (1e3, "k")]) + {"reqps": " req/s", "ops": " ops/s", "rowsps": " rows/s"}[unit]
        return scaled(value, [(1e9, "G"), (1e6, "M"), (1e3, "k")])
    return fmt


def legend_text(template, metric, expr_index):
    if not template:
        return ", ".join(f"{k}={v}" for k, v in metric.items() if k != "__name__") or f"series {expr_index}"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), template)


def thresholds(panel):
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps", [])
    return [(s["value"], s.get("color", "red")) for s in steps if s.get("value") is not None]


def color_for(value, panel):
    chosen = "green"
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps", [])
    for step in steps:
        if step.get("value") is None or (value is not None and value >= step["value"]):
            chosen = step.get("color", chosen)
    return COLORS.get(chosen, chosen)


def mapped(value, panel):
    for mapping in panel.get("fieldConfig", {}).get("defaults", {}).get("mappings", []):
        if mapping.get("type") == "value":
            for key, result in mapping.get("options", {}).items():
                if value is not None and float(key) == value:
                    return result.get("text")
    return None


def draw_timeseries(ax, panel, series, unit, start, end):
    fmt = formatter(unit)
    for name, points in series:
        xs = [datetime.fromtimestamp(t, timezone.utc) for t, _ in points]
        ax.plot(xs, [v for _, v in points], linewidth=1.1, label=name)
    custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {})
    if custom.get("thresholdsStyle", {}).get("mode", "off") != "off":
        for value, color in thresholds(panel):
            ax.axhline(value, color=COLORS.get(color, color), linestyle="--", linewidth=0.9)
    ax.set_xlim(datetime.fromtimestamp(start, timezone.utc), datetime.fromtimestamp(end, timezone.utc))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    minimum = panel.get("fieldConfig", {}).get("defaults", {}).get("min")
    if minimum is not None:
        ax.set_ylim(bottom=minimum)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25)
    if panel.get("options", {}).get("legend", {}).get("showLegend", True) and series:
        ax.legend(fontsize=6, loc="upper left", ncol=2 if len(series) > 4 else 1, framealpha=0.6)


def draw_stat(ax, panel, value, unit):
    ax.axis("off")
    text = mapped(value, panel) or formatter(unit)(value)
    ax.text(0.5, 0.45, text, ha="center", va="center", fontsize=18, weight="bold", color=color_for(value, panel),
            transform=ax.transAxes)


def note(ax, text):
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=8, color="#777", wrap=True, transform=ax.transAxes)


def main():
    args = parse_args()
    dashboard = json.loads(Path(args.dashboard).read_text())
    prometheus = Prometheus(args.prometheus)
    given = dict(v.split("=", 1) for v in args.var)
    values = variables(dashboard, given)
    end = time.time()
    start = end - args.minutes * 60
    step = max(args.scrape_interval, (end - start) / 240)
    # Grafana: $__rate_interval = max($__interval + scrape interval, 4 x scrape interval)
    rate_interval = f"{int(max(step + args.scrape_interval, 4 * args.scrape_interval))}s"

    panels = dashboard["panels"]
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    width_px, height_px = 24 * GRID_COL_PX + 20, rows * GRID_ROW_PX + HEADER_PX
    fig = plt.figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)

    def box(pos, left=0, top=0, right=0, bottom=0):
        """A panel's place in figure coordinates, from its gridPos, less the given margins in pixels."""
        x0 = 10 + pos["x"] * GRID_COL_PX + left
        y0 = HEADER_PX + pos["y"] * GRID_ROW_PX + top
        w = pos["w"] * GRID_COL_PX - left - right
        h = pos["h"] * GRID_ROW_PX - top - bottom
        return [x0 / width_px, 1 - (y0 + h) / height_px, w / width_px, h / height_px]
    span = f"last {args.minutes:g} min, to {datetime.fromtimestamp(end, timezone.utc):%Y-%m-%d %H:%M} UTC"
    fig.text(10 / width_px, 1 - 30 / height_px, f"{dashboard.get('title', 'dashboard')}", fontsize=20, weight="bold",
             va="center")
    fig.text(140 / width_px, 1 - 30 / height_px, f"{span}; " + ", ".join(f"{k}={v}" for k, v in values.items()),
             fontsize=11, va="center", color="#555")

    report = []
    for panel in panels:
        pos = panel["gridPos"]
        title = panel.get("title", "")
        if panel.get("type") == "row":
            ax = fig.add_axes(box({**pos, "w": 24}))
            ax.axis("off")
            ax.text(0, 0.3, title, fontsize=13, weight="bold", va="center", transform=ax.transAxes)
            continue
        frame = fig.add_axes(box(pos, left=4, top=4, right=4, bottom=4))  # the panel's border and title
        frame.set_xticks([])
        frame.set_yticks([])
        for spine in frame.spines.values():
            spine.set_color("#ccc")
        frame.text(0.01, 0.985, title, fontsize=10, weight="bold", va="top", transform=frame.transAxes)
        ax = fig.add_axes(box(pos, left=70, top=30, right=14, bottom=26))
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
        targets = [t for t in panel.get("targets", []) if t.get("expr")]
        exprs = [substitute(t["expr"], values, rate_interval) for t in targets]
        source = cluster_source(exprs)
        entry = {"title": title, "type": panel.get("type"), "status": None}
        report.append(entry)
        if source:
            entry["status"] = "cluster-only"
            entry["source"] = source
            note(ax, f"needs a cluster: its data comes from\n{source}")
            continue
        if accounts_only(exprs) and not any(prometheus.range(expr, start, end, step) for expr in exprs):
            entry["status"] = "accounts-only"
            note(ax, "needs accounts on (auth.enabled, AUTH_MODE=oidc):\nno token was checked or refused here")
            continue
        try:
            if panel.get("type") == "stat":
                value = None
                for expr in exprs:
                    result = prometheus.instant(expr, end)
                    if result:
                        value = float(result[0]["value"][1])
                        break
                entry["status"] = "data" if value is not None else "empty"
                draw_stat(ax, panel, value, unit) if value is not None else note(ax, "No data")
            else:
                series = []
                for i, (target, expr) in enumerate(zip(targets, exprs)):
                    for result in prometheus.range(expr, start, end, step):
                        points = [(float(t), float(v)) for t, v in result["values"]]
                        series.append((legend_text(target.get("legendFormat"), result["metric"], i), points))
                entry["status"] = "data" if series else "empty"
                entry["series"] = len(series)
                draw_timeseries(ax, panel, series, unit, start, end) if series else note(ax, "No data")
        except Exception as error:  # a query Prometheus refuses is shown, and reported
            entry["status"] = "error"
            entry["error"] = str(error)
            note(ax, f"query failed: {error}"[:200])

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=DPI)
    counts = {s: sum(1 for e in report if e["status"] == s)
              for s in ("data", "empty", "cluster-only", "accounts-only", "error")}
    print(f"{args.out}: {len(report)} panels: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    for entry in report:
        if entry["status"] in ("empty", "error"):
            print(f"  {entry['status']}: {entry['title']} {entry.get('error', '')}")
    if args.report:
        Path(args.report).write_text(json.dumps({"panels": report, "rate_interval": rate_interval,
                                                 "variables": values}, indent=2))
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
