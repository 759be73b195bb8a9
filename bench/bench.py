#!/usr/bin/env python3
"""user-service benchmark: the service against what PostgreSQL itself can serve, side by side.

    bench/run.sh              full run, about 5 minutes
    bench/run.sh --runs 3     the measured part three times, each on fresh service processes, with medians
    bench/run.sh --scaling    the curves: 10 k and 1 M users, 1 to 512 connections, a table and a PNG
    bench/run.sh --profile    also a JFR recording of the get scenario, with its hot methods and allocations
    bench/run.sh --smoke      a few seconds per step (and the curves at small sizes): checks the
                              benchmark works, asserts no timing

Everything listens on 127.0.0.1 and every step is bounded in time:
  1. a PostgreSQL of its own (the service's embedded one, `java -jar user-service.jar database`),
     migrated by the service's own migration, loaded with 10,000 users; its settings printed;
  2. the physical limit: pgbench -M prepared -c 32 -j 2 selecting one user by primary key;
  3. the service started as the container starts it (the Dockerfile's java flags), time from
     exec to the first 200 on /ready, a warm-up long enough for the JIT to settle, then
     wrk -t2 -c32 --latency: `get` and `mixed` (tracing as by default: spans made for logs and
     exemplars, none exported); then the service again with OTEL_EXPORTER_OTLP_ENDPOINT at a
     local OTLP sink and every trace sampled: `get, traces exported`; then with AUTH_MODE=oidc
     against a local issuer, each GET with an administrator's bearer token (one per connection):
     `get, auth on`, and its CPU per GET against `get`'s; then the service as the
     README starts it (./run.sh): its start and its peak RSS under `get`;
  4. a table and target/bench/results.json: req/s, p50/p99, errors, the service's and
     PostgreSQL's CPU per request (user+sys from /proc; the JIT compiler threads' share shown
     apart), bytes allocated per request, peak RSS, startup, req/s / pgbench TPS.
"""
import contextlib
import functools
import http.server
import json
import os
import random
import statistics
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
VALUES = ROOT / "helm" / "user-service" / "values.yaml"
JAR = ROOT / "target" / "user-service.jar"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
SMOKE = "--smoke" in sys.argv
PROFILE = "--profile" in sys.argv
DURATION = 2 if SMOKE else 15
# The warm-up lasts until the JIT has compiled the request path: on two shared cores C2 was still
# compiling two minutes into a load, and a fixed 10 s warm-up measured the JIT as much as the
# service. It goes on in steps until the JIT compiler threads take less than JIT_SETTLED of the
# service's CPU, up to WARMUP_MAX seconds (the table's JIT column shows what was left).
WARMUP = 2 if SMOKE else 10
WARMUP_MAX = 2 if SMOKE else 150
JIT_SETTLED = 0.05
CONNECTIONS = 32
USERS = 10_000
# The curves: table sizes and connection counts (--scaling).
SCALING_USERS = (1_000, 10_000) if SMOKE else (10_000, 1_000_000)
SCALING_CONNECTIONS = (1, 8, 32, 128, 512)
SCALING_DURATION = 1 if SMOKE else 10
JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def log(text):
    print(f"==> {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java():
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


def jdk_tool(name):
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / name) if home else name


@functools.cache
def pod_limits():
    """The chart's resources.limits: (cpu, memory) as the JVM is told them, such as ("1", "384m")."""
    text = VALUES.read_text()
    limits = re.search(r"^resources:\n(?:  .*\n)*?  limits:\n((?:    .*\n)+)", text, re.M).group(1)
    cpu = re.search(r"cpu:\s*\"?([\d.]+)(m?)\"?", limits)
    memory = re.search(r"memory:\s*(\d+)Mi", limits)
    cores = float(cpu.group(1)) / (1000 if cpu.group(2) else 1)
    return str(max(1, round(cores))), f"{memory.group(1)}m"


def dockerfile_java_flags(aot=True):
    """The JVM flags of the image's ENTRYPOINT, so the service runs as in a pod of the chart: the
    image's AOT cache path points at one trained here, and the JVM is told the pod's limits, as a
    container's cgroup would tell it. The CPU limit sets the event loops (one per CPU) and the pool;
    measured on this 2-core machine shared with wrk and PostgreSQL, one event loop (the chart's
    limit of 1 CPU) spent 80-97 µs of CPU per GET where two spent 86-139 µs, lower in each of four interleaved rounds."""
    text = (ROOT / "Dockerfile").read_text()
    entry = json.loads(re.findall(r"^ENTRYPOINT\s+(\[.*\])\s*$", text, re.M)[-1])
    flags = []
    for flag in entry[1:entry.index("-jar")]:
        if flag.startswith("-XX:AOTCache="):
            if aot:
                flags.append(f"-XX:AOTCache={AOT_CACHE}")
        else:
            flags.append(flag)
    cpus, memory = pod_limits()
    return [f"-XX:ActiveProcessorCount={cpus}", f"-XX:MaxRAM={memory}", *flags]


def train_aot_cache():
    """The image build's training run, with the image's flags, into target/bench/app.aot."""
    AOT_CACHE.unlink(missing_ok=True)
    subprocess.run([java(), *dockerfile_java_flags(aot=False), f"-XX:AOTCacheOutput={AOT_CACHE}", "-jar", str(JAR), "train"],
                   check=True, stdout=open(WORK / "train.log", "w"), stderr=subprocess.STDOUT, timeout=300)


def start_service(env, aot):
    """The service as a pod of the chart runs it: (process, seconds from exec to the first 200 on /ready)."""
    return launch([java(), *dockerfile_java_flags(aot), "-jar", str(JAR)], env,
                  WORK / f"service{'-aot' if aot else ''}.log")


def start_as_readme_does(env):
    """./run.sh, as the README's first command starts the service: (process, seconds to ready)."""
    return launch([str(ROOT / "run.sh")], env, WORK / "service-run-sh.log")


def launch(command, env, log_path):
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
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
    return stat_ticks(Path(f"/proc/{pid}/stat").read_text(), children) / CLK_TCK


def stat_ticks(stat, children=False):
    """user+sys clock ticks from the text of a /proc stat file (fields after the command's name)."""
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)


def jit_cpu_seconds(pid):
    """CPU of the JVM's JIT compiler threads: the part of the service's CPU that is warm-up, not work."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except FileNotFoundError:
            continue
        if stat[stat.index("(") + 1:stat.rindex(")")] in JIT_THREADS:
            total += stat_ticks(stat)
    return total / CLK_TCK


def allocated_bytes(pid, port):
    """Bytes the JVM has allocated so far: a full GC first, so that the GC meter has counted every
    byte allocated up to now (it counts the young generation's fill at each collection)."""
    subprocess.run([jdk_tool("jcmd"), str(pid), "GC.run"], check=True, capture_output=True, timeout=60)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    return float(re.search(r"^jvm_gc_memory_allocated_bytes_total(?:\{[^}]*\})? ([\d.eE+-]+)$", text, re.M).group(1))


def warm_up(pid, port, script="get.lua", max_id=USERS + 1, extra=()):
    """wrk in steps of WARMUP seconds until the JIT has settled (see JIT_SETTLED); returns the seconds taken."""
    waited = 0
    while True:
        cpu0, jit0 = cpu_seconds(pid), jit_cpu_seconds(pid)
        wrk(port, script, WARMUP, max_id=max_id, extra=extra)
        waited += WARMUP
        cpu, jit = cpu_seconds(pid) - cpu0, jit_cpu_seconds(pid) - jit0
        if jit <= JIT_SETTLED * cpu or waited >= WARMUP_MAX:
            log(f"warm-up: {waited} s, the JIT at {100 * jit / max(cpu, 1e-9):.0f}% of the service's CPU in its last {WARMUP} s")
            return waited


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


def load_users(port, users=USERS):
    """Ids 2..users+1, which is what the pgbench and wrk scripts ask for; user 1 stays. Straight
    into the migrated table, set-based: a million creates through the API would take too long."""
    psql(port, f"""DELETE FROM "user" WHERE id <> 1;
        ALTER TABLE "user" ALTER COLUMN id RESTART WITH 2;
        INSERT INTO "user" (username, first_name, last_name, email, phone)
        SELECT 'bench-' || (g + 1), 'Bench', 'User', 'bench' || (g + 1) || '@example.com', '+1 555 0100'
        FROM generate_series(1, {users}) g;""")
    psql(port, 'VACUUM ANALYZE "user"')
    return psql(port, 'SELECT min(id) || \'..\' || max(id) || \' (\' || count(*) || \' users)\' FROM "user" WHERE id > 1')


def pgbench(port):
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", str(CONNECTIONS), "-j", "2", "-T", str(DURATION),
                          "-f", str(BENCH / "select_user.sql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                          "postgres"], check=True, capture_output=True, text=True, timeout=DURATION + 60).stdout
    return float(re.search(r"tps = ([\d.]+) \((?:without initial connection time|excluding connections)", out).group(1))


def wrk(port, script, seconds, connections=CONNECTIONS, max_id=USERS + 1, extra=()):
    """wrk's script draws ids 2..max_id (the loaded users); `extra` are more script arguments."""
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                          "-s", str(BENCH / script), f"http://127.0.0.1:{port}", "--", str(max_id), *extra],
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


class TokenIssuer:
    """An OpenID Connect issuer on 127.0.0.1 for AUTH_MODE=oidc: its configuration and one RSA key,
    and RS256 access tokens it signs, as a provider's would be (issuer, audience, subject, roles)."""

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import rsa
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
               "n": self.b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": self.b64(numbers.e.to_bytes(3, "big"))}
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                documents = {"/realms/bench/.well-known/openid-configuration":
                             {"issuer": issuer.issuer(), "jwks_uri": issuer.issuer() + "/certs"},
                             "/realms/bench/certs": {"keys": [jwk]}}
                body = json.dumps(documents.get(self.path, {})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def b64(data):
        import base64
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/realms/bench"

    def env(self):
        return {"AUTH_MODE": "oidc", "OIDC_ISSUER": self.issuer(), "OIDC_AUDIENCE": "user-service",
                "OIDC_ADMIN_ROLE": "user-admin"}

    def token(self, subject, lifetime_s=3600):
        """An administrator's token (every loaded user is no one's: only administrators read them)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        now = int(time.time())
        header = self.b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench"}).encode())
        claims = self.b64(json.dumps({"iss": self.issuer(), "aud": ["user-service", "account"], "sub": subject,
                                      "iat": now, "exp": now + lifetime_s, "azp": "bench",
                                      "realm_access": {"roles": ["user-admin", "offline_access"]}}).encode())
        signature = self.key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{claims}.{self.b64(signature)}"

    def close(self):
        self.server.shutdown()


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


def measure(service_pid, postmaster, port, script, seconds=DURATION, connections=CONNECTIONS, max_id=USERS + 1,
            extra=()):
    """One wrk run with the service's and PostgreSQL's CPU over it, and what the service allocated."""
    bytes0 = allocated_bytes(service_pid, port)
    svc0, jit0, pg0 = cpu_seconds(service_pid), jit_cpu_seconds(service_pid), postgres_cpu(postmaster)
    run = wrk(port, script, seconds, connections, max_id, extra)
    svc1, jit1, pg1 = cpu_seconds(service_pid), jit_cpu_seconds(service_pid), postgres_cpu(postmaster)
    bytes1 = allocated_bytes(service_pid, port)
    requests = max(run["requests"], 1)
    run["service_cpu_us_per_req"] = (svc1 - svc0) * 1e6 / requests
    run["jit_cpu_us_per_req"] = (jit1 - jit0) * 1e6 / requests
    run["postgres_cpu_us_per_req"] = (pg1 - pg0) * 1e6 / requests
    run["allocated_bytes_per_req"] = (bytes1 - bytes0) / requests
    return run


def arg_value(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def service_env(db_port, port):
    return {**os.environ, "PORT": str(port), "BIND_ADDRESS": "127.0.0.1", "DB_HOST": "127.0.0.1",
            "DB_PORT": str(db_port), "DB_NAME": "postgres", "DB_USER": "postgres", "SHUTDOWN_DRAIN_MS": "0"}


@contextlib.contextmanager
def jfr_recording(pid):
    """A JFR recording (the `profile` settings) of what runs inside; then its hot methods,
    allocations and CPU by thread beside it, in profile.txt."""
    subprocess.run([jdk_tool("jcmd"), str(pid), "JFR.start", "name=bench", "settings=profile",
                    f"filename={WORK / 'get.jfr'}"], check=True, capture_output=True, timeout=60)
    yield
    subprocess.run([jdk_tool("jcmd"), str(pid), "JFR.stop", "name=bench"], check=True, capture_output=True, timeout=60)
    views = []
    for view in ("hot-methods", "allocation-by-class", "thread-cpu-load"):
        views.append(subprocess.run([jdk_tool("jfr"), "view", "--width", "160", view, str(WORK / "get.jfr")],
                                    capture_output=True, text=True, timeout=120).stdout)
    (WORK / "profile.txt").write_text("\n".join(views))
    log(f"profile: {WORK / 'get.jfr'} (open it in JDK Mission Control), summary in {WORK / 'profile.txt'}")


def one_run(db_port, postmaster, round_no):
    """pgbench, the starts, and every scenario, on fresh service processes."""
    record = {}
    log(f"pgbench -M prepared -c {CONNECTIONS} -j 2 -T {DURATION}: one user by primary key")
    tps = pgbench(db_port)
    log(f"pgbench: {tps:.0f} TPS")
    record["pgbench_tps"] = tps

    port = free_port()
    env = service_env(db_port, port)
    startups = {}
    for aot in (False, True):
        process, seconds = start_service(env, aot)
        startups["with_aot_cache" if aot else "without_aot_cache"] = seconds
        stop(process)
    log(f"exec to first 200 on /ready: {startups['without_aot_cache']:.3f} s, "
        f"{startups['with_aot_cache']:.3f} s with the AOT cache")
    service, _ = start_service(env, True)
    try:
        record["rss_after_start_mb"] = rss_peak_mb(service.pid)
        warm_up(service.pid, port)
        results = {}
        for name, script in (("get", "get.lua"), ("mixed", "mixed.lua")):
            profiled = PROFILE and name == "get" and round_no == 0
            with jfr_recording(service.pid) if profiled else contextlib.nullcontext():
                results[name] = measure(service.pid, postmaster, port, script)
            log(f"{name}: {results[name]['rps']:.0f} req/s")
        record["peak_rss_mb"] = rss_peak_mb(service.pid)
    finally:
        stop(service)

    sink = OtlpSink()
    log(f"tracing: every trace sampled and exported over OTLP/HTTP to a local sink ({sink.endpoint()})")
    service, _ = start_service({**env, "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint(),
                                "OTEL_TRACES_SAMPLER": "always_on"}, True)
    try:
        warm_up(service.pid, port)
        run = measure(service.pid, postmaster, port, "get.lua")
    finally:
        stop(service)  # flushes the last batch
    run["otlp_exports"], run["otlp_bytes"] = sink.exports, sink.bytes
    sink.close()
    results["get, traces exported"] = run
    log(f"get, traces exported: {run['rps']:.0f} req/s; the sink took {sink.exports} exports, "
        f"{sink.bytes / 1e6:.1f} MB")
    if sink.exports == 0:
        sys.exit("tracing: the sink received no export")

    issuer = TokenIssuer()
    tokens = WORK / "tokens.txt"
    tokens.write_text("\n".join(issuer.token(f"bench-{i}") for i in range(CONNECTIONS)) + "\n")
    log(f"auth on: AUTH_MODE=oidc against a local issuer; {CONNECTIONS} administrators' RS256 tokens, one per connection")
    service, _ = start_service({**env, **issuer.env()}, True)
    try:
        wait_for(f"http://127.0.0.1:{port}/ready", 30)
        warm_up(service.pid, port, "get_auth.lua", extra=(str(tokens),))
        run = measure(service.pid, postmaster, port, "get_auth.lua", extra=(str(tokens),))
    finally:
        stop(service)
        issuer.close()
    if run["errors"]:
        sys.exit(f"get, auth on: {run['errors']} answers were not 2xx: the tokens were refused")
    results["get, auth on (a token per connection)"] = run
    log(f"get, auth on: {run['rps']:.0f} req/s; service CPU per GET, auth on / off: "
        f"{run['service_cpu_us_per_req'] / results['get']['service_cpu_us_per_req']:.2f}")

    log("the service as the README starts it: ./run.sh")
    service, seconds = start_as_readme_does(env)
    try:
        startups["run_sh"] = seconds
        warm_up(service.pid, port)
        results["get, started by ./run.sh"] = measure(service.pid, postmaster, port, "get.lua")
        record["run_sh_peak_rss_mb"] = rss_peak_mb(service.pid)
    finally:
        stop(service)
    for run in results.values():
        run["ratio_to_pgbench"] = run["rps"] / tps
        run["service_to_postgres_cpu"] = run["service_cpu_us_per_req"] / max(run["postgres_cpu_us_per_req"], 1e-9)
    record["startup_s"] = startups
    record["scenarios"] = results
    return record


def median_record(records):
    """Each figure's median over the runs (the runs themselves stay in results.json)."""
    def med(values):
        return statistics.median(values)
    first = records[0]
    return {
        "pgbench_tps": med([r["pgbench_tps"] for r in records]),
        "rss_after_start_mb": med([r["rss_after_start_mb"] for r in records]),
        "peak_rss_mb": med([r["peak_rss_mb"] for r in records]),
        "run_sh_peak_rss_mb": med([r["run_sh_peak_rss_mb"] for r in records]),
        "startup_s": {k: med([r["startup_s"][k] for r in records]) for k in first["startup_s"]},
        "scenarios": {name: {k: med([r["scenarios"][name][k] for r in records]) for k in first["scenarios"][name]}
                      for name in first["scenarios"]},
    }


def print_record(title, r):
    print()
    print(title)
    print("| scenario | req/s | p50 ms | p99 ms | errors | service CPU µs/req (of which JIT) | PostgreSQL CPU µs/req "
          "| service ÷ PostgreSQL CPU | allocated KB/req | req/s ÷ pgbench TPS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, s in r["scenarios"].items():
        print(f"| {name} | {s['rps']:.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['errors']:.0f} | "
              f"{s['service_cpu_us_per_req']:.1f} ({s['jit_cpu_us_per_req']:.1f}) | {s['postgres_cpu_us_per_req']:.1f} | "
              f"{s['service_to_postgres_cpu']:.2f} | "
              f"{s['allocated_bytes_per_req'] / 1024:.1f} | {s['ratio_to_pgbench']:.2f} |")
    print(f"| pgbench (same PostgreSQL) | {r['pgbench_tps']:.0f} TPS | | | | | | | | 1.00 |")
    auth = r["scenarios"].get("get, auth on (a token per connection)")
    if auth:
        print(f"service CPU per GET, auth on ÷ off (same run): "
              f"{auth['service_cpu_us_per_req'] / r['scenarios']['get']['service_cpu_us_per_req']:.2f}")
    st = r["startup_s"]
    print(f"startup (exec to first 200 on /ready, database migrated): {st['without_aot_cache']:.3f} s with the image's "
          f"flags, {st['with_aot_cache']:.3f} s with its AOT cache, {st['run_sh']:.3f} s by ./run.sh; "
          f"peak RSS under load {r['peak_rss_mb']:.0f} MB with the image's flags (JVM told the pod's "
          f"limits: {', '.join(pod_limits())}), {r['run_sh_peak_rss_mb']:.0f} MB by ./run.sh; RSS after start "
          f"{r['rss_after_start_mb']:.0f} MB")


def check_sample(port, db_port, users, count=20):
    """The bulk-loaded rows read back through the API, as the service answers them."""
    for user_id in random.sample(range(2, users + 2), min(count, users)):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/user/{user_id}", timeout=10) as r:
            body = json.loads(r.read())
        stored = psql(db_port, f'SELECT username || \',\' || email FROM "user" WHERE id = {user_id}')
        if f"{body['username']},{body['email']}" != stored or body["id"] != user_id:
            sys.exit(f"user {user_id}: the API answered {body}, the table holds {stored}")


def scaling(db_port, postmaster):
    """Throughput and latency against connections, one curve per table size, on one warm service."""
    port = free_port()
    service, _ = start_service(service_env(db_port, port), True)
    rows = []
    try:
        for users in SCALING_USERS:
            log(f"loading {users:,} users (INSERT ... SELECT into the migrated table)")
            started = time.monotonic()
            log("loaded: " + load_users(db_port, users) + f" in {time.monotonic() - started:.1f} s")
            check_sample(port, db_port, users)
            log("20 random users read back through the API match the table")
            if users == SCALING_USERS[0]:
                # The JIT's warm-up, once, then a pass over every connection count: measured without
                # that pass, the first table size ran at up to 1.4 times the CPU per GET of the second.
                warm_up(service.pid, port, max_id=users + 1)
                for connections in SCALING_CONNECTIONS:
                    wrk(port, "get.lua", 2 if not SMOKE else 1, connections, max_id=users + 1)
            else:
                wrk(port, "get.lua", WARMUP, max_id=users + 1)  # PostgreSQL's caches
            for connections in SCALING_CONNECTIONS:
                run = measure(service.pid, postmaster, port, "get.lua", SCALING_DURATION, connections, users + 1)
                run.update(users=users, connections=connections)
                rows.append(run)
                log(f"{users:,} users, {connections} connections: {run['rps']:.0f} req/s, "
                    f"p99 {run['p99_ms']:.2f} ms")
    finally:
        stop(service)
    report = {"mode": "smoke" if SMOKE else "full", "seconds_per_point": SCALING_DURATION, "points": rows,
              "machine": machine()}
    (WORK / "scaling.json").write_text(json.dumps(report, indent=2))
    print()
    print("| users | connections | req/s | p50 ms | p99 ms | errors | service CPU µs/req | PostgreSQL CPU µs/req |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['users']:,} | {r['connections']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
              f"{r['errors']} | {r['service_cpu_us_per_req']:.1f} | {r['postgres_cpu_us_per_req']:.1f} |")
    point = {(r["users"], r["connections"]): r for r in rows}
    small, large = SCALING_USERS
    print()
    print(f"service CPU per GET at 32 connections, {large:,} ÷ {small:,} users: "
          f"{point[large, 32]['service_cpu_us_per_req'] / point[small, 32]['service_cpu_us_per_req']:.2f}")
    for users in SCALING_USERS:
        print(f"req/s at 512 connections ÷ at 32, {users:,} users: "
              f"{point[users, 512]['rps'] / point[users, 32]['rps']:.2f}")
    plot(WORK / "scaling.json", WORK / "scaling.png")


def plot(data, picture):
    """Draws the curves with matplotlib: the Python running this, or Debian's (python3-matplotlib)."""
    for python in dict.fromkeys((sys.executable, "/usr/bin/python3")):
        if Path(python).exists() and subprocess.run([python, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            subprocess.run([python, str(BENCH / "plot_scaling.py"), str(data), str(picture)], check=True, timeout=120)
            log(f"curves: {picture}")
            return
    sys.exit("drawing the curves needs matplotlib: apt-get install python3-matplotlib")


def machine():
    return {"cpus": os.cpu_count(), "cpu": cpu_model(), "java": java_version()}


def main():
    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install wrk postgresql-client postgresql (pgbench)")
    if not JAR.exists():
        sys.exit("build first: ./mvnw package -DskipTests")
    runs = arg_value("--runs", 1)

    log("PostgreSQL: the service's embedded one, migrated by the service")
    db, db_port, postmaster = start_database()
    try:
        settings = {name: psql(db_port, f"SHOW {name}") for name in
                    ("server_version", "shared_buffers", "max_connections", "synchronous_commit", "fsync", "work_mem")}
        log("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        log("AOT cache: the image's training run (java -XX:AOTCacheOutput=... -jar user-service.jar train)")
        train_aot_cache()
        log(f"service: java {' '.join(dockerfile_java_flags())} -jar user-service.jar")
        if "--scaling" in sys.argv:
            scaling(db_port, postmaster)
            return
        log("loaded: " + load_users(db_port))
        records = []
        for round_no in range(runs):
            if runs > 1:
                log(f"run {round_no + 1} of {runs}")
            records.append(one_run(db_port, postmaster, round_no))
    finally:
        stop(db)

    summary = median_record(records) if runs > 1 else records[0]
    report = {
        "mode": "smoke" if SMOKE else "full", "machine": machine(), "postgres": settings,
        "java_flags": dockerfile_java_flags(), "duration_s": DURATION, "warmup_s": WARMUP,
        "connections": CONNECTIONS, "runs": records, "median": summary,
    }
    (WORK / "results.json").write_text(json.dumps(report, indent=2))
    if runs > 1:
        for i, record in enumerate(records):
            print_record(f"run {i + 1} of {runs}", record)
    print_record(f"median of {runs} runs" if runs > 1 else "results", summary)
    print(f"machine: {report['machine']['cpus']} CPUs, {report['machine']['cpu']}; {report['machine']['java']}; "
          f"{'SMOKE run: figures mean nothing' if SMOKE else f'{DURATION} s per scenario after a warm-up until the JIT settled'}")
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
