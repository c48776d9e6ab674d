"""Shared pieces of the benchmark scripts: start duckstore on ephemeral loopback ports, read its RSS, drive
it with bench/rpc_load, and build driver requests. Run with /usr/bin/python3 (Debian's python3-grpcio)."""
import json
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "build", "py"))
BIN = os.path.join(ROOT, os.environ.get("DUCKSTORE_BIN", "build/duckstore"))
LOAD = os.path.join(ROOT, "build", "bench", "rpc_load")
EXECUTE = "/keboola.storageDriver.service.StorageDriverService/Execute"
HEALTH = "/grpc.health.v1.Health/Check"

import grpc  # noqa: E402
from google.protobuf import any_pb2  # noqa: E402
from proto import common_pb2, credentials_pb2  # noqa: E402


def pack(m):
    a = any_pb2.Any()
    a.Pack(m)
    return a


def request(cmd, key, host=""):
    return common_pb2.DriverRequest(credentials=pack(credentials_pb2.GenericBackendCredentials(principal=key,
                                                                                                host=host)),
                                    command=pack(cmd))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class Server:
    def __init__(self, data_dir, key, args=()):
        env = dict(os.environ, ADMIN_API_KEY=key, LOG_LEVEL="warn")
        self.key = key
        self.proc = subprocess.Popen([BIN, "serve", "--data-dir", data_dir, "--grpc-host", "127.0.0.1",
                                      "--grpc-port", "0", "--rest-host", "127.0.0.1", "--rest-port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
        self.target = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"ready grpc=(\S+)", line)
            if m:
                self.target = m.group(1)
                break
        if not self.target:
            raise SystemExit("duckstore did not report ready")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.channel = grpc.insecure_channel(self.target)
        self.call = self.channel.unary_unary(EXECUTE, request_serializer=common_pb2.DriverRequest.SerializeToString,
                                             response_deserializer=common_pb2.DriverResponse.FromString)

    def execute(self, cmd, key=None, host=""):
        return self.call(request(cmd, key or self.key, host), timeout=120)

    def rss(self):
        return rss_mb(self.proc.pid)

    def stop(self):
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def load(target, method, payload_file, concurrency, seconds=4, procs=1):
    args = [LOAD, "--target", target, "--method", method, "--payload", payload_file, "--concurrency",
            str(concurrency), "--seconds", str(seconds), "--warmup", "1"]
    ps = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    out = []
    for p in ps:
        o, _ = p.communicate()
        r = json.loads(o.strip().splitlines()[-1])
        if r["errors"]:
            raise SystemExit(f"rpc_load reported errors: {r}")
        out.append(r)
    if procs == 1:
        return out[0]
    return {"calls_per_s": sum(r["calls_per_s"] for r in out), "p50_ms": max(r["p50_ms"] for r in out),
            "p99_ms": max(r["p99_ms"] for r in out)}
