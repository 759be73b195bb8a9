#!/usr/bin/env python3
"""user-service benchmark: the service against what PostgreSQL itself can serve, side by side.

    bench/run.sh            full run, about 3 minutes
    bench/run.sh --smoke    a few seconds per step: checks the benchmark works, asserts no timing

Everything listens on 127.0.0.1 and every step is bounded in time:
  1. a PostgreSQL of its own (the service's embedded one, `java -jar user-service.jar database`),
     migrated by the service's own migration, loaded with 10,000 users; its settings printed;
  2. the physical limit: pgbench -M prepared -c 32 -j 2 selecting one user by primary key;
  3. the service started as the container starts it (the Dockerfile's java flags), time from
     exec to the first 200 on /ready, a warm-up, then wrk -t2 -c32 --latency: `get` and `mixed`
     (tracing as by default: spans made for logs and exemplars, none exported); then the service
     again with OTEL_EXPORTER_OTLP_ENDPOINT at a local OTLP sink and every trace sampled:
     `get, traces exported`;
  4. a table and target/bench/results.json: req/s, p50/p99, errors, the service's and
     PostgreSQL's CPU per request (user+sys from /proc), peak RSS, startup, req/s / pgbench TPS.
"""
import http.server
import json
import os
import threading
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = ROOT / "target" / "bench"
AOT_CACHE = WORK / "app.aot"
# What the JVM sees in a pod with the chart's memory limit (resources.limits.memory: 384Mi).
CONTAINER_MEMORY = "384m"
JAR = ROOT / "target" / "user-service.jar"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
SMOKE = "--smoke" in sys.argv
DURATION = 2 if SMOKE else 15
WARMUP = 2 if SMOKE else 10
CONNECTIONS = 32
USERS = 10_000


def log(text):
    print(f"==> {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java():
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


def dockerfile_java_flags(aot=True):
    """The JVM flags of the image's ENTRYPOINT, so the service runs as in the container: the
    image's AOT cache path points at one trained here, and the JVM is told the container's memory."""
    text = (ROOT / "Dockerfile").read_text()
    entry = json.loads(re.findall(r"^ENTRYPOINT\s+(\[.*\])\s*$", text, re.M)[-1])
    flags = []
    for flag in entry[1:entry.index("-jar")]:
        if flag.startswith("-XX:AOTCache="):
            if aot:
                flags.append(f"-XX:AOTCache={AOT_CACHE}")
        else:
            flags.append(flag)
    return [f"-XX:MaxRAM={CONTAINER_MEMORY}", *flags]


def train_aot_cache():
    """The image build's training run, with the image's flags, into target/bench/app.aot."""
    AOT_CACHE.unlink(missing_ok=True)
    flags = [f for f in dockerfile_java_flags(aot=False)]
    subprocess.run([java(), *flags, f"-XX:AOTCacheOutput={AOT_CACHE}", "-jar", str(JAR), "train"],
                   check=True, stdout=open(WORK / "train.log", "w"), stderr=subprocess.STDOUT, timeout=300)


def start_service(env, aot):
    """Starts the service and returns (process, seconds from exec to the first 200 on /ready)."""
    log_path = WORK / f"service{'-aot' if aot else ''}.log"
    started = time.monotonic()
    process = subprocess.Popen([java(), *dockerfile_java_flags(aot), "-jar", str(JAR)], env=env,
                               stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    if not wait_for(f"http://127.0.0.1:{env['PORT']}/ready", 60):
        sys.exit(f"the service did not get ready: see {log_path}")
    return process, time.monotonic() - started


def stop(process):
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def cpu_seconds(pid, children=False):
    """user+sys CPU of a process (and of its reaped children) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def postgres_cpu(postmaster):
    """The postmaster, its live backends and those that exited."""
    total = cpu_seconds(postmaster, children=True)
    for child in subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split():
        try:
            total += cpu_seconds(int(child))
        except FileNotFoundError:
            pass
    return total


def rss_peak_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for(url, timeout, status=200):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == status:
                    return True
        except Exception:
            pass
        time.sleep(0.005)
    return False


def start_database():
    """The service's embedded PostgreSQL, alone, migrated; returns (process, port, postmaster pid)."""
    shutil.rmtree(WORK / "data", ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATA_DIR": str(WORK / "data")}
    env.pop("DB_HOST", None)
    log_file = open(WORK / "database.log", "w")
    process = subprocess.Popen([java(), "-jar", str(JAR), "database"], env=env, stdout=log_file,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for line in (WORK / "database.log").read_text().splitlines():
            if "embedded PostgreSQL ready" in line:
                port = json.loads(line)["port"]
                postmaster = int((WORK / "data" / "pgdata" / "postmaster.pid").read_text().split()[0])
                return process, port, postmaster
        if process.poll() is not None:
            sys.exit("the embedded database did not start: see " + str(WORK / "database.log"))
        time.sleep(0.2)
    sys.exit("the embedded database did not start in 120 s")


def psql(port, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                           "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def load_users(port):
    """Ids 2..10001, which is what the pgbench and wrk scripts ask for; user 1 stays."""
    psql(port, f"""DELETE FROM "user" WHERE id <> 1;
        ALTER TABLE "user" ALTER COLUMN id RESTART WITH 2;
        INSERT INTO "user" (username, first_name, last_name, email, phone)
        SELECT 'bench-' || (g + 1), 'Bench', 'User', 'bench' || (g + 1) || '@example.com', '+1 555 0100'
        FROM generate_series(1, {USERS}) g;""")
    psql(port, 'VACUUM ANALYZE "user"')
    return psql(port, 'SELECT min(id) || \'..\' || max(id) || \' (\' || count(*) || \' users)\' FROM "user" WHERE id > 1')


def pgbench(port):
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", str(CONNECTIONS), "-j", "2", "-T", str(DURATION),
                          "-f", str(BENCH / "select_user.sql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                          "postgres"], check=True, capture_output=True, text=True, timeout=DURATION + 60).stdout
    return float(re.search(r"tps = ([\d.]+) \((?:without initial connection time|excluding connections)", out).group(1))


def wrk(port, script, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                          "-s", str(BENCH / script), f"http://127.0.0.1:{port}"],
                         check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    def latency(p):
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency(50), "p99_ms": latency(99),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


class OtlpSink:
    """A trace collector that takes OTLP/HTTP exports on 127.0.0.1 and keeps only their count and size."""

    def __init__(self):
        sink = self
        self.exports = 0
        self.bytes = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                sink.exports += 1
                sink.bytes += len(body)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()


def measure(service_pid, postmaster, port, script):
    """One wrk run with the service's and PostgreSQL's CPU over it."""
    svc0, pg0 = cpu_seconds(service_pid), postgres_cpu(postmaster)
    run = wrk(port, script, DURATION)
    svc1, pg1 = cpu_seconds(service_pid), postgres_cpu(postmaster)
    run["service_cpu_us_per_req"] = (svc1 - svc0) * 1e6 / max(run["requests"], 1)
    run["postgres_cpu_us_per_req"] = (pg1 - pg0) * 1e6 / max(run["requests"], 1)
    return run


def main():
    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install wrk postgresql-client postgresql (pgbench)")
    if not JAR.exists():
        sys.exit("build first: ./mvnw package -DskipTests")

    log("PostgreSQL: the service's embedded one, migrated by the service")
    db, db_port, postmaster = start_database()
    service = None
    try:
        settings = {name: psql(db_port, f"SHOW {name}") for name in
                    ("server_version", "shared_buffers", "max_connections", "synchronous_commit", "fsync", "work_mem")}
        log("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        log("loaded: " + load_users(db_port))

        log(f"pgbench -M prepared -c {CONNECTIONS} -j 2 -T {DURATION}: one user by primary key")
        tps = pgbench(db_port)
        log(f"pgbench: {tps:.0f} TPS")

        port = free_port()
        env = {**os.environ, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1", "DB_HOST": "127.0.0.1",
               "DB_PORT": str(db_port), "DB_NAME": "postgres", "DB_USER": "postgres", "SHUTDOWN_DRAIN_MS": "0"}
        log("AOT cache: the image's training run (java -XX:AOTCacheOutput=... -jar user-service.jar train)")
        train_aot_cache()
        startups = {}
        for aot in (False, True):
            process, seconds = start_service(env, aot)
            startups["with_aot_cache" if aot else "without_aot_cache"] = seconds
            stop(process)
        log(f"exec to first 200 on /ready: {startups['without_aot_cache']:.3f} s, "
            f"{startups['with_aot_cache']:.3f} s with the AOT cache")
        log(f"service: java {' '.join(dockerfile_java_flags())} -jar user-service.jar")
        service, _ = start_service(env, True)
        rss_after_start = rss_peak_mb(service.pid)

        wrk(port, "get.lua", WARMUP)
        results = {}
        for name, script in (("get", "get.lua"), ("mixed", "mixed.lua")):
            run = measure(service.pid, postmaster, port, script)
            run["ratio_to_pgbench"] = run["rps"] / tps
            results[name] = run
            log(f"{name}: {run['rps']:.0f} req/s")
        peak_rss = rss_peak_mb(service.pid)
        stop(service)

        sink = OtlpSink()
        log(f"tracing: every trace sampled and exported over OTLP/HTTP to a local sink ({sink.endpoint()})")
        traced_env = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint(), "OTEL_TRACES_SAMPLER": "always_on"}
        service, _ = start_service(traced_env, True)
        wrk(port, "get.lua", WARMUP)
        run = measure(service.pid, postmaster, port, "get.lua")
        run["ratio_to_pgbench"] = run["rps"] / tps
        stop(service)  # flushes the last batch
        run["otlp_exports"], run["otlp_bytes"] = sink.exports, sink.bytes
        sink.close()
        results["get, traces exported"] = run
        log(f"get, traces exported: {run['rps']:.0f} req/s; the sink took {sink.exports} exports, "
            f"{sink.bytes / 1e6:.1f} MB")
        if sink.exports == 0:
            sys.exit("tracing: the sink received no export")
    finally:
        stop(service)
        stop(db)

    report = {
        "mode": "smoke" if SMOKE else "full",
        "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "java": java_version()},
        "postgres": settings, "pgbench_tps": tps, "startup_s": startups,
        "java_flags": dockerfile_java_flags(),
        "rss_after_start_mb": rss_after_start, "peak_rss_mb": peak_rss, "scenarios": results,
        "duration_s": DURATION, "connections": CONNECTIONS,
    }
    (WORK / "results.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"| scenario | req/s | p50 ms | p99 ms | errors | service CPU µs/req | PostgreSQL CPU µs/req | req/s ÷ pgbench TPS |")
    print(f"|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} | "
              f"{r['service_cpu_us_per_req']:.1f} | {r['postgres_cpu_us_per_req']:.1f} | {r['ratio_to_pgbench']:.2f} |")
    print(f"| pgbench (same PostgreSQL) | {tps:.0f} TPS | | | | | | 1.00 |")
    print()
    print(f"startup (exec to first 200 on /ready, database migrated): {startups['without_aot_cache']:.3f} s, "
          f"{startups['with_aot_cache']:.3f} s with the AOT cache; RSS after start {rss_after_start:.0f} MB, "
          f"peak under load {peak_rss:.0f} MB (JVM told the pod's {CONTAINER_MEMORY} limit)")
    print(f"machine: {report['machine']['cpus']} CPUs, {report['machine']['cpu']}; {report['machine']['java']}; "
          f"{'SMOKE run: figures mean nothing' if SMOKE else str(DURATION) + ' s per scenario'}")
    print(f"results: {WORK / 'results.json'}")


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def java_version():
    out = subprocess.run([java(), "-version"], capture_output=True, text=True).stderr.splitlines()
    return out[0] if out else "unknown"


if __name__ == "__main__":
    main()
