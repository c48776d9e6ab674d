"""Long commands run on their own threads (--command-threads): with a single gRPC worker thread, health checks and
metadata calls are answered while an import of a big file is still running, and SIGTERM lets that import finish."""
import os
import signal
import threading
import time
import unittest

from harness import Server, ServerTest, info_pb2, table_pb2

IES = table_pb2.ImportExportShared
CSV = table_pb2.TableImportFromFileCommand.CsvTypeOptions
ROWS = 1500000


class SlowCommandTest(ServerTest):
    server_args = ("--grpc-threads", "1")

    def setUp(self):
        self.pid, self.key = self.new_project("slow")
        self.b = self.new_bucket(self.pid, self.key, "in.c-slow")
        self.create_table(self.pid, self.key, self.b, "big", [("id", "STRING"), ("name", "STRING", "", True),
                                                              ("note", "STRING", "", True)])
        with open(os.path.join(self.srv.data_dir, "files", self.pid, "big.csv"), "w") as f:
            f.writelines(f"{i},name {i},note {i % 977}\n" for i in range(ROWS))

    def start_import(self, srv):
        cmd = table_pb2.TableImportFromFileCommand(
            fileProvider=IES.S3, fileFormat=IES.CSV, filePath=IES.FilePath(root=f"project-{self.pid}", fileName="big.csv"),
            destination=IES.Table(path=[self.b], tableName="big"))
        cmd.formatTypeOptions.Pack(CSV(columnsNames=["id", "name", "note"], delimiter=",", enclosure='"'))
        result = {}

        def run():
            try:
                r = srv.execute(cmd, key=self.key, host=self.pid)
                out = table_pb2.TableImportResponse()
                r.commandResponse.Unpack(out)
                result["rows"] = out.tableRowsCount
            except Exception as e:  # noqa: BLE001 - reported by the test
                result["error"] = e
        t = threading.Thread(target=run)
        t.start()
        return t, result

    def test_health_and_metadata_answer_during_an_import(self):
        self.table_info(self.pid, self.key, self.b, "big")  # warm
        t, result = self.start_import(self.srv)
        time.sleep(0.3)
        latencies = []
        for _ in range(5):
            t0 = time.perf_counter()
            self.srv.execute(info_pb2.ListSchemasCommand(), key=self.key, host=self.pid)
            self.info(self.pid, self.key, [self.pid], info_pb2.DATABASE)
            latencies.append(time.perf_counter() - t0)
        still_running = t.is_alive()
        t.join(120)
        self.assertEqual(result.get("rows"), ROWS, result)
        self.assertTrue(still_running, "the import finished before the probes; make the file bigger")
        self.assertLess(max(latencies), 0.5, latencies)

    def test_sigterm_lets_a_running_import_finish(self):
        srv = Server(data_dir=self.srv.data_dir, admin_key=self.srv.admin_key, extra_args=("--grpc-threads", "1"))
        self.srv.stop()
        try:
            srv.start()
            t, result = self.start_import(srv)
            time.sleep(0.3)
            self.assertTrue(t.is_alive(), "the import finished before SIGTERM; make the file bigger")
            srv.proc.send_signal(signal.SIGTERM)
            t.join(120)
            self.assertEqual(result.get("rows"), ROWS, result)
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.proc = None
            self.srv.start()


if __name__ == "__main__":
    unittest.main()


class MemoryLimitTest(SlowCommandTest):
    """A keyed import that cannot fit --duckdb-memory-limit fails cleanly: RESOURCE_EXHAUSTED (2006, retryable)
    naming the setting, the table unchanged, the server still answering."""
    server_args = ("--duckdb-memory-limit", "24MB")
    test_health_and_metadata_answer_during_an_import = None
    test_sigterm_lets_a_running_import_finish = None

    def test_out_of_memory_is_a_clear_retryable_error(self):
        import grpc
        cmd = table_pb2.TableImportFromFileCommand(
            fileProvider=IES.S3, fileFormat=IES.CSV, filePath=IES.FilePath(root=f"project-{self.pid}", fileName="big.csv"),
            destination=IES.Table(path=[self.b], tableName="big"),
            importOptions=IES.ImportOptions(dedupColumnsNames=["id"]))
        cmd.formatTypeOptions.Pack(CSV(columnsNames=["id", "name", "note"], delimiter=",", enclosure='"'))
        e = self.assertRpcError(lambda: self.srv.execute(cmd, key=self.key, host=self.pid),
                                grpc.StatusCode.RESOURCE_EXHAUSTED, 2006, retryable=True)
        self.assertIn("--duckdb-memory-limit", e.details)
        self.assertEqual(self.table_info(self.pid, self.key, self.b, "big").rowsCount, 0)
