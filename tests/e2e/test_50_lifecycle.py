"""The process (issue 2 §1, §6, §7): settings and --help, the generated admin key, logs, SIGTERM with calls
in flight, and persistence across restarts."""
import os
import re
import signal
import socket
import stat
import subprocess
import threading
import unittest

import grpc

from harness import BIN, RpcError, Server, backend_pb2, project_pb2


class LifecycleTest(unittest.TestCase):
    def test_help_lists_every_setting_with_its_default(self):
        out = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0)
        for flag, env, default in [("--data-dir", "DATA_DIR", "./data"), ("--grpc-port", "GRPC_PORT", "50051"),
                                   ("--grpc-host", "GRPC_HOST", "0.0.0.0"), ("--rest-port", "REST_PORT", "8000"),
                                   ("--rest-host", "REST_HOST", "0.0.0.0"), ("--tls-cert", "TLS_CERT", "(unset)"),
                                   ("--tls-key", "TLS_KEY", "(unset)"), ("--log-level", "LOG_LEVEL", "info")]:
            self.assertRegex(out.stdout, re.escape(flag) + r"\s+" + re.escape(env) + r"\s+default: " + re.escape(default))
        self.assertIn("ADMIN_API_KEY", out.stdout)
        out = subprocess.run([BIN, "serve", "--no-such-flag"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown option", out.stderr)
        out = subprocess.run([BIN, "version"], capture_output=True, text=True, timeout=30)
        self.assertIn("DuckDB v1.4", out.stdout)

    def test_flag_beats_env(self):
        srv = Server(env={"LOG_LEVEL": "debug"}, extra_args=["--log-level", "warn"])
        try:
            srv.start()
            srv.execute(backend_pb2.RemoveBackendCommand())
            self.assertNotIn("command=RemoveBackendCommand", srv.log())  # info lines are off at warn
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_generated_admin_key_is_stored_0600_and_reused(self):
        srv = Server(use_env_key=False)
        try:
            srv.start()
            path = os.path.join(srv.data_dir, "admin.key")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            key = open(path).read().strip()
            self.assertGreaterEqual(len(key), 32)
            self.assertIn(path, srv.log())
            self.assertNotIn(key, srv.log())
            srv.admin_key = key
            pid = srv.create_project("genkey1").projectDatabaseName
            self.assertEqual(srv.stop(), 0)
            srv.start()
            self.assertEqual(open(path).read().strip(), key)
            self.assertRpcErrorCode(lambda: srv.create_project(pid), 2006)
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def assertRpcErrorCode(self, fn, code):
        with self.assertRaises(RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.keboola_code, code, cm.exception.details)

    def test_restart_keeps_projects_keys_and_branches(self):
        srv = Server()
        try:
            srv.start()
            keys = {f"keep{i}": srv.create_project(f"keep{i}").projectPassword for i in range(5)}
            srv.execute(project_pb2.CreateDevBranchCommand(branchId="9"), key=keys["keep0"])
            srv.execute(project_pb2.UpdateProjectCommand(projectId="keep1", timezone="Europe/Prague"))
            srv.execute(project_pb2.DropProjectCommand(projectDatabaseName="keep4"))
            self.assertEqual(srv.stop(), 0)
            self.assertIn("stopped cleanly", srv.log())
            srv.start()
            for pid in ("keep0", "keep1", "keep2", "keep3"):
                self.assertRpcErrorCode(lambda: srv.create_project(pid), 2006)
                srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=keys[pid])
            self.assertRpcErrorCode(lambda: srv.execute(project_pb2.CreateDevBranchCommand(branchId="9"),
                                                        key=keys["keep0"]), 2006)
            self.assertRpcErrorCode(lambda: srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"),
                                                        key=keys["keep4"]), 1002)
            info = srv.get("/projects/keep1", headers={"Authorization": "Bearer " + keys["keep1"]}).json()
            self.assertEqual(info["timezone"], "Europe/Prague")
            srv.create_project("keep4")
            self.assertIn("projects=4", srv.log())  # the ready line counts the catalog's projects
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_sigterm_lets_in_flight_calls_finish_and_exits_0(self):
        srv = Server()
        try:
            srv.start()
            results, errors = [], []
            go = threading.Event()

            def worker(n):
                go.wait()
                for i in range(20):
                    try:
                        srv.create_project(f"term{n}x{i}")
                        results.append(f"term{n}x{i}")
                    except RpcError as e:
                        errors.append(e.status)
                        return

            threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            go.set()
            while len(results) < 20:
                pass
            srv.proc.send_signal(signal.SIGTERM)
            for t in threads:
                t.join(60)
            code = srv.stop()
            self.assertEqual(code, 0, srv.log()[-3000:])
            # calls the server had not started when the signal came are refused (UNAVAILABLE) or cancelled by the
            # gRPC core's shutdown (CANCELLED); never a server error
            self.assertTrue(all(s in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED) for s in errors), errors)
            srv.start()
            for pid in results:  # every call that succeeded is there after the restart
                self.assertRpcErrorCode(lambda: srv.create_project(pid), 2006)
            self.assertEqual(srv.stop(signal.SIGINT), 0)
        finally:
            srv.cleanup()

    def test_port_in_use_fails_with_a_clear_message(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        srv = Server(extra_args=["--grpc-port", str(port)])
        try:
            with self.assertRaises(RuntimeError) as cm:
                srv.start(timeout=30)
            self.assertIn("Cannot listen for gRPC", str(cm.exception))
            self.assertIn("exit 1", str(cm.exception))
        finally:
            s.close()
            srv.cleanup()

    def test_call_log_lines(self):
        srv = Server()
        try:
            srv.start()
            srv.create_project("logp1")
            try:
                srv.execute(project_pb2.DropProjectCommand(projectDatabaseName="ghost"), run_id="r-77")
            except RpcError:
                pass
            srv.wait_log(r"INFO  call: transport=grpc command=CreateProjectCommand project=logp1 runId=- "
                                  r"status=OK ms=[0-9.]+")
            srv.wait_log(r"command=DropProjectCommand project=ghost runId=r-77 status=NOT_FOUND code=2000 "
                                  r"ms=[0-9.]+ error=\"Project \"ghost\" not found\.\"")
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
