"""End-to-end test harness: starts the real duckstore binary on ephemeral loopback ports with a temporary data
directory, and talks to it with real clients (python3-grpcio, requests) from Debian.

Run with /usr/bin/python3 (Debian's python, which sees python3-grpcio/-protobuf/-requests).
DUCKSTORE_BIN selects the binary (default build/duckstore; the sanitizer run uses build-asan/duckstore).
"""
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, os.environ.get("DUCKSTORE_BIN", os.path.join("build", "duckstore")))  # relative: to the repo
PY = os.path.join(os.path.dirname(os.path.dirname(BIN)), os.path.basename(os.path.dirname(BIN)), "py")
if not os.path.isdir(PY):
    PY = os.path.join(ROOT, "build", "py")
sys.path.insert(0, PY)

import grpc  # noqa: E402
import requests  # noqa: E402
from google.protobuf import any_pb2, wrappers_pb2  # noqa: E402
from proto import backend_pb2, bucket_pb2, common_pb2, credentials_pb2, info_pb2  # noqa: E402,F401
from proto import executeQuery_pb2, project_pb2, table_pb2, workspace_pb2  # noqa: E402,F401

TOOL_SQL = os.path.join(os.path.dirname(BIN), "tests", "tools", "ds_sql")
EXECUTE = "/keboola.storageDriver.service.StorageDriverService/Execute"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def pack(msg):
    a = any_pb2.Any()
    a.Pack(msg)  # type.googleapis.com/<full name>
    return a


class RpcError(Exception):
    def __init__(self, err):
        super().__init__(f"{err.code()}: {err.details()}")
        self.status = err.code()
        self.details = err.details()
        md = dict(err.trailing_metadata() or ())
        self.keboola_code = int(md["x-keboola-error-code"]) if "x-keboola-error-code" in md else None
        self.retryable = md.get("x-keboola-retryable")


class Server:
    """One duckstore process. Use start()/stop(); the data directory survives stop() for restart tests."""

    def __init__(self, data_dir=None, admin_key=None, extra_args=(), env=None, use_env_key=True):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="duckstore-e2e-")
        self.admin_key = admin_key or ("admin-" + secrets.token_hex(16))
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self.use_env_key = use_env_key
        self.proc = None
        self.lines = []
        self.channel = None

    # --- process -------------------------------------------------------------------------------
    def start(self, timeout=60):
        env = dict(os.environ)
        for k in ("GRPC_PORT", "REST_PORT", "DATA_DIR", "ADMIN_API_KEY", "LOG_LEVEL"):
            env.pop(k, None)
        if self.use_env_key:
            env["ADMIN_API_KEY"] = self.admin_key
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        env.setdefault("LSAN_OPTIONS", "suppressions=" + os.path.join(ROOT, "tests", "lsan.supp") + ":print_suppressions=0")
        env.update(self.env)
        args = [BIN, "serve", "--data-dir", self.data_dir, "--grpc-host", "127.0.0.1", "--grpc-port", "0",
                "--rest-host", "127.0.0.1", "--rest-port", "0", "--shutdown-grace", "10"] + self.extra_args
        self.lines = []
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                                     errors="replace")
        ready, done = threading.Event(), threading.Event()

        def reader(proc=self.proc, lines=self.lines):
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                if " ready grpc=" in line:
                    ready.set()
            done.set()
            ready.set()

        threading.Thread(target=reader, daemon=True).start()
        m = None
        if ready.wait(timeout):
            m = re.search(r"ready grpc=([\d.]+):(\d+) rest=([\d.]+):(\d+)", "\n".join(self.lines))
        if not m:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            done.wait(10)
            raise RuntimeError("duckstore did not become ready (exit %s):\n%s" % (self.proc.returncode,
                                                                                "\n".join(self.lines)))
        self.grpc_port, self.rest_port = int(m.group(2)), int(m.group(4))
        self.grpc_target = f"127.0.0.1:{self.grpc_port}"
        self.rest_url = f"http://127.0.0.1:{self.rest_port}"
        opts = [("grpc.max_receive_message_length", 80 << 20), ("grpc.max_send_message_length", 80 << 20)]
        self.channel = grpc.insecure_channel(self.grpc_target, options=opts)
        self._execute = self.channel.unary_unary(EXECUTE, request_serializer=lambda m: m.SerializeToString(),
                                                 response_deserializer=common_pb2.DriverResponse.FromString)
        self._raw = self.channel.unary_unary(EXECUTE, request_serializer=lambda b: b,
                                             response_deserializer=lambda b: b)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends sig and returns the exit code. Fails the caller if a sanitizer reported anything."""
        if self.channel:
            self.channel.close()
            self.channel = None
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            raise AssertionError("duckstore did not stop within %ss" % timeout)
        time.sleep(0.05)  # let the reader thread take the last lines
        self.check_sanitizers()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        return code

    def check_sanitizers(self):
        text = "\n".join(self.lines)
        for marker in SANITIZER_MARKERS:
            if marker in text:
                raise AssertionError("sanitizer report in the server output:\n" + text[-20000:])

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log(self):
        return "\n".join(self.lines)

    def wait_log(self, pattern, timeout=10):
        """Waits until a log line matches the regex pattern (the log is read by another thread); returns it."""
        deadline = time.time() + timeout
        while True:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            if time.time() > deadline:
                raise AssertionError(f"no log line matches {pattern!r}:\n" + self.log()[-3000:])
            time.sleep(0.02)

    # --- driver calls --------------------------------------------------------------------------
    def request(self, command, key=None, host=None, run_id=None, features=(), query_tags=None, admin=False):
        req = common_pb2.DriverRequest()
        if command is not None:
            req.command.CopyFrom(pack(command))
        k = self.admin_key if admin else key
        if k is not None or host is not None:
            cred = credentials_pb2.GenericBackendCredentials(host=host or "", principal=k or "")
            req.credentials.CopyFrom(pack(cred))
        req.features.extend(features)
        if run_id:
            req.runtimeOptions.runId = run_id
        for tk, tv in (query_tags or {}).items():
            req.runtimeOptions.queryTags[tk] = tv
        return req

    def execute(self, command, key=None, host=None, admin=None, **kw):
        """Runs a command; the admin key is used unless key is given. Raises RpcError on a non-OK status."""
        if admin is None:
            admin = key is None
        req = self.request(command, key=key, host=host, admin=admin, **kw)
        return self.execute_request(req)

    def execute_request(self, req):
        try:
            return self._execute(req, timeout=60)
        except grpc.RpcError as e:
            raise RpcError(e) from None

    def execute_raw(self, data):
        try:
            return self._raw(data, timeout=60)
        except grpc.RpcError as e:
            raise RpcError(e) from None

    def create_project(self, project_id):
        r = self.execute(project_pb2.CreateProjectCommand(projectId=project_id))
        resp = project_pb2.CreateProjectResponse()
        assert r.commandResponse.Unpack(resp)
        return resp

    def sql_offline(self, project_id, *statements):
        """Runs SQL on a project's database file with tests/tools/ds_sql while the server is stopped (DuckDB
        locks the file), then starts the server again on new ports. Returns ds_sql's output lines."""
        code = self.stop()
        if code != 0:
            raise AssertionError(f"duckstore exited with {code}")
        db = os.path.join(self.data_dir, "projects", f"{project_id}.duckdb")
        p = subprocess.run([TOOL_SQL, db, *statements], capture_output=True, text=True)
        self.start()
        if p.returncode != 0:
            raise AssertionError("ds_sql failed: " + p.stderr)
        return p.stdout.splitlines()

    def get(self, path, **kw):
        return requests.get(self.rest_url + path, timeout=30, **kw)

    def post(self, path, **kw):
        return requests.post(self.rest_url + path, timeout=60, **kw)


def column(name, type_, length="", nullable=False, default=""):
    """A TableColumnShared; length and default "" mean none."""
    return table_pb2.TableColumnShared(name=name, type=type_, length=length or "", nullable=bool(nullable),
                                       default=default or "")


def _unpack(driver_response, msg):
    if not driver_response.commandResponse.Unpack(msg):
        raise AssertionError(f"expected a {msg.DESCRIPTOR.full_name}, got {driver_response.commandResponse.type_url}")
    return msg


class ServerTest(unittest.TestCase):
    """A test class with one server shared by its tests (started in setUpClass)."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(extra_args=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.srv.stop()
            if code != 0:
                raise AssertionError(f"duckstore exited with {code}:\n{cls.srv.log()[-5000:]}")
        finally:
            cls.srv.cleanup()

    def assertRpcError(self, fn, status, keboola_code=None, message=None, contains=None, retryable=None):
        with self.assertRaises(RpcError) as cm:
            fn()
        e = cm.exception
        self.assertEqual(e.status, status, e.details)
        if keboola_code is not None:
            self.assertEqual(e.keboola_code, keboola_code, e.details)
        if message is not None:
            self.assertEqual(e.details, message)
        if contains is not None:
            self.assertIn(contains, e.details)
        if retryable is not None:
            self.assertEqual(e.retryable, "1" if retryable else "0")
        return e

    # --- metadata helpers (issue 3) ----------------------------------------------------------------
    def info(self, pid, key, path, otype):
        r = self.srv.execute(info_pb2.ObjectInfoCommand(path=path, expectedObjectType=otype), key=key, host=pid)
        resp = info_pb2.ObjectInfoResponse()
        _unpack(r, resp)
        return resp

    def table_info(self, pid, key, schema, table):
        return self.info(pid, key, [schema, table], info_pb2.TABLE).tableInfo

    def new_bucket(self, pid, key, bucket_id="in.c-main", **kw):
        r = self.srv.execute(bucket_pb2.CreateBucketCommand(bucketId=bucket_id, **kw), key=key, host=pid)
        resp = bucket_pb2.CreateBucketResponse()
        _unpack(r, resp)
        return resp.createBucketObjectName

    def create_table(self, pid, key, schema, name, columns, pk=(), **kw):
        """columns: (name, type[, length[, nullable[, default]]]) tuples."""
        cols = [column(*c) for c in columns]
        r = self.srv.execute(table_pb2.CreateTableCommand(path=[schema], tableName=name, columns=cols,
                                                          primaryKeysNames=list(pk), **kw), key=key, host=pid)
        resp = info_pb2.ObjectInfoResponse()
        _unpack(r, resp)
        return resp

    def new_project(self, prefix="p"):
        pid = f"{prefix}{secrets.token_hex(4)}"
        resp = self.srv.create_project(pid)
        return pid, resp.projectPassword
