#!/usr/bin/env python3
"""bench/rpc.py: gRPC transport and dispatch benchmark for duckstore (run it through bench/rpc.sh).

In one run, at 1, 8 and 32 concurrent calls, it measures calls/s and p50/p99 latency of
  (a) Execute(RemoveBackendCommand) with the admin key on duckstore (decode, auth, dispatch, encode),
  (b) grpc.health.v1.Health/Check on the same server (the transport floor),
  (c) the same no-op Execute answered by a Python grpcio server with ThreadPoolExecutor(10),
using bench/rpc_load (a C client on the gRPC C core). It checks that the load generator is not the
bottleneck by running (b) at 32 from two client processes at once. Then it prints idle RSS and RSS after
creating 1,000 projects. Prints ratios, never bare times alone. Not a test: nothing here passes or fails.
Run with /usr/bin/python3 (Debian's python3-grpcio)."""
import os
import shutil
import subprocess
import tempfile
import time

from benchlib import EXECUTE, HEALTH, ROOT, Server, load as run_load

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
CONCURRENCY = (1, 8, 32)
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "1000"))


def load(target, method, payload, concurrency, procs=1):
    return run_load(target, method, payload, concurrency, seconds=SECONDS, procs=procs)


def main():
    tmp = tempfile.mkdtemp(prefix="duckstore-bench-")
    key = "bench-admin-" + os.urandom(8).hex()
    srv = Server(os.path.join(tmp, "data"), key)
    target = srv.target
    py = None
    try:
        time.sleep(0.5)
        idle_rss = srv.rss()

        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "make_payloads.py"), tmp, key], check=True)
        execute_payload = os.path.join(tmp, "execute_remove_backend.bin")
        health_payload = os.path.join(tmp, "health_check.bin")

        py = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "bench", "py_noop_server.py")],
                              stdout=subprocess.PIPE, text=True)
        port = py.stdout.readline().split()[1]
        py_target = f"127.0.0.1:{port}"

        print(f"duckstore {target}, python grpcio baseline {py_target}, {SECONDS:.0f} s per case, "
              f"{os.cpu_count()} cores (server and clients share them)")
        print(f"{'conc':>4} | {'(a) Execute':>22} | {'(b) Health':>22} | {'(c) Python Execute':>22} | "
              f"{'a/b':>5} {'a/c':>6} {'p99 a/b':>7}")
        print(f"{'':>4} | {'calls/s  p50ms  p99ms':>22} | {'calls/s  p50ms  p99ms':>22} | "
              f"{'calls/s  p50ms  p99ms':>22} |")
        results = {}
        for c in CONCURRENCY:
            a = load(target, EXECUTE, execute_payload, c)
            b = load(target, HEALTH, health_payload, c)
            cc = load(py_target, EXECUTE, execute_payload, c)
            results[c] = (a, b, cc)

            def f(r):
                return f"{r['calls_per_s']:8.0f} {r['p50_ms']:6.2f} {r['p99_ms']:6.2f}"
            print(f"{c:>4} | {f(a)} | {f(b)} | {f(cc)} | {a['calls_per_s'] / b['calls_per_s']:5.2f} "
                  f"{a['calls_per_s'] / cc['calls_per_s']:6.2f} {a['p99_ms'] / b['p99_ms']:7.2f}")

        one = results[32][1]["calls_per_s"]
        two = load(target, HEALTH, health_payload, 32, procs=2)["calls_per_s"]
        print(f"load-generator check: Health/Check at 32 from one client {one:.0f} calls/s, from two client "
              f"processes {two:.0f} calls/s (ratio {two / one:.2f}; about 1.0 means the server, not the client, "
              f"is the limit)")
        a, b, cc = results[8]
        print("targets at 8 concurrent: a/b >= 0.7: %.2f %s; a/c >= 3: %.2f %s; p99(a) <= 1.5 x p99(b): %.2f %s" % (
            a["calls_per_s"] / b["calls_per_s"], "met" if a["calls_per_s"] / b["calls_per_s"] >= 0.7 else "MISSED",
            a["calls_per_s"] / cc["calls_per_s"], "met" if a["calls_per_s"] / cc["calls_per_s"] >= 3 else "MISSED",
            a["p99_ms"] / b["p99_ms"], "met" if a["p99_ms"] / b["p99_ms"] <= 1.5 else "MISSED"))

        t = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "create_projects.py"), target, key,
                            str(PROJECTS)], check=True, capture_output=True, text=True).stdout.strip()
        time.sleep(0.5)
        after = srv.rss()
        print(f"RSS: idle after start {idle_rss:.0f} MB (target < 150); after creating {PROJECTS} projects "
              f"{after:.0f} MB (target < 400), created in {t} s ({PROJECTS / float(t):.0f} projects/s, one client)")
    finally:
        if py and py.poll() is None:
            py.terminate()
            py.wait(30)
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
