"""Remote file providers for TableImportFromFile and TableExportToFile (contract §6 "File providers").

Remote S3: duckstore's own S3-compatible API plays the remote store. The server is started with
`--s3-endpoint http://127.0.0.1:<its own REST port>`, project B's bucket `project-<B>` is the remote bucket
(credentials: key = B's id, secret = B's projectPassword) and project A imports from / exports to it. Fixtures
are put into B's bucket and results read back with boto3 (path-style, s3v4).

ABS: a small fake Blob service (http.server in a thread) at `--abs-endpoint http://127.0.0.1:<port>/{account}`
that checks the SAS query string and `x-ms-blob-type: BlockBlob` and keeps blobs in memory.

Every failing import is checked to leave the destination as it was; no download directory may be left behind."""
import gzip
import http.server
import io
import json
import os
import re
import socket
import threading
import unittest
import urllib.parse

import boto3
import grpc
from botocore.config import Config

from harness import Server, ServerTest, table_pb2

IA = grpc.StatusCode.INVALID_ARGUMENT
PD = grpc.StatusCode.PERMISSION_DENIED
UN = grpc.StatusCode.UNIMPLEMENTED
IES = table_pb2.ImportExportShared
CSV = table_pb2.TableImportFromFileCommand.CsvTypeOptions
IO = IES.ImportOptions
ACCOUNT = "dsacct"
SAS = "sv=2021-08-06&ss=b&srt=co&sp=rwdlac&se=2099-01-01T00%3A00%3A00Z&sig=s3cr3tSig%2Babc%3D"
COLS = [("col1", "STRING", "", True), ("col2", "STRING", "", True), ("col3", "STRING", "", True)]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FakeBlob(http.server.BaseHTTPRequestHandler):
    """Azure Blob Storage, just enough: GET/PUT/DELETE of /<account>/<container>/<blob>?<SAS>."""
    protocol_version = "HTTP/1.1"
    blobs = {}      # (container, name) -> bytes
    puts = []       # (path, headers) of every PUT
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def reply(self, status, body=b"", code=None):
        if code:
            body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                    f'<Message>{code} from the fake.\nRequestId:1</Message></Error>').encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def target(self):
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/", 3)
        if u.query != SAS:
            return None, "AuthenticationFailed"
        if len(parts) != 4 or parts[1] != ACCOUNT or not parts[3]:
            return None, "InvalidUri"
        return (parts[2], urllib.parse.unquote(parts[3])), None

    def do_GET(self):
        t, code = self.target()
        if code:
            return self.reply(403 if code == "AuthenticationFailed" else 400, code=code)
        with self.lock:
            data = self.blobs.get(t)
        if data is None:
            return self.reply(404, code="BlobNotFound")
        self.reply(200, data)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        t, code = self.target()
        if code:
            return self.reply(403 if code == "AuthenticationFailed" else 400, code=code)
        if self.headers.get("x-ms-blob-type") != "BlockBlob":
            return self.reply(400, code="MissingRequiredHeader")
        with self.lock:
            self.blobs[t] = body
            self.puts.append((self.path.split("?")[0], dict(self.headers)))
        self.reply(201)

    def do_DELETE(self):
        t, code = self.target()
        if code:
            return self.reply(403, code=code)
        with self.lock:
            self.blobs.pop(t, None)
        self.reply(202)


def csv_bytes(rows, header=True):
    out = io.StringIO()
    if header:
        out.write("col1,col2,col3\n")
    for r in rows:
        out.write(",".join('"' + v.replace('"', '""') + '"' for v in r) + "\n")
    return out.getvalue().encode()


class RemoteTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.abs = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeBlob)
        threading.Thread(target=cls.abs.serve_forever, daemon=True).start()
        port = free_port()
        cls.server_args = ("--rest-port", str(port), "--s3-endpoint", f"http://127.0.0.1:{port}",
                           "--abs-endpoint", f"http://127.0.0.1:{cls.abs.server_address[1]}/{{account}}")
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "ra")
        cls.rid, cls.rkey = cls.new_project(cls, "rb")
        cls.bucket = f"project-{cls.rid}"
        cls.b = cls.new_bucket(cls, cls.pid, cls.key, "in.c-remote")
        cls.s3 = boto3.client("s3", endpoint_url=cls.srv.rest_url, aws_access_key_id=cls.rid,
                              aws_secret_access_key=cls.rkey, region_name="us-east-1",
                              config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                            retries={"max_attempts": 1}))
        cls.n = 0
        # fixtures in the remote bucket
        cls.rows3 = [("1", "a", "x"), ("2", "b", "y"), ("3", "c,\"q\"", "z")]
        cls.s3.put_object(Bucket=cls.bucket, Key="import/three.csv", Body=csv_bytes(cls.rows3))
        slices = {"sliced/part0.csv.gz": [("10", "p", "q"), ("11", "r", "s")],
                  "sliced/part1.csv.gz": [("12", "t", "u")]}
        for k, rows in slices.items():
            cls.s3.put_object(Bucket=cls.bucket, Key=k, Body=gzip.compress(csv_bytes(rows, header=False)))

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.abs.shutdown()
            cls.abs.server_close()

    # --- helpers ------------------------------------------------------------------------------------
    def x(self, cmd):
        return self.srv.execute(cmd, key=self.key, host=self.pid)

    def table(self, seed=True):
        RemoteTest.n += 1
        name = f"t{RemoteTest.n}"
        self.create_table(self.pid, self.key, self.b, name, COLS)
        if seed:  # one row, through a local import (so no ds_sql restart is needed)
            local = os.path.join(self.srv.data_dir, "files", self.pid, "seed.csv")
            with open(local, "w") as f:
                f.write('"s","seed","row"\n')
            self.imp(name, "seed.csv", root=f"project-{self.pid}", path="", creds=None)
        return name

    def creds(self, secret=None, key=None):
        return IES.S3Credentials(key=key or self.rid, secret=secret or self.rkey, region="us-east-1")

    def imp(self, name, file, path="import", root=None, creds="default", sliced=False, gz=False, skip=0,
            provider=IES.S3, incremental=False):
        fmt = CSV(columnsNames=["col1", "col2", "col3"], delimiter=",", enclosure='"',
                  sourceType=CSV.SLICED_FILE if sliced else CSV.SINGLE_FILE, compression=CSV.GZIP if gz else CSV.NONE)
        cmd = table_pb2.TableImportFromFileCommand(
            fileProvider=provider, fileFormat=IES.CSV,
            filePath=IES.FilePath(root=root or self.bucket, path=path, fileName=file),
            destination=IES.Table(path=[self.b], tableName=name),
            importOptions=IO(numberOfIgnoredLines=skip, importType=IO.INCREMENTAL if incremental else IO.FULL))
        cmd.formatTypeOptions.Pack(fmt)
        if creds == "default":
            creds = self.creds()
        if creds is not None:
            cmd.fileCredentials.Pack(creds)
        resp = table_pb2.TableImportResponse()
        self.assertTrue(self.x(cmd).commandResponse.Unpack(resp))
        return resp

    def export(self, table, path="exp", file_name="f_", root=None, creds="default", provider=IES.S3, **opts):
        cmd = table_pb2.TableExportToFileCommand(
            source=IES.Table(path=[self.b], tableName=table), fileProvider=provider, fileFormat=IES.CSV,
            filePath=IES.FilePath(root=root or self.bucket, path=path, fileName=file_name),
            exportOptions=IES.ExportOptions(**opts))
        if creds == "default":
            creds = self.creds()
        if creds is not None:
            cmd.fileCredentials.Pack(creds)
        resp = table_pb2.TableExportToFileResponse()
        self.assertTrue(self.x(cmd).commandResponse.Unpack(resp))
        return resp

    def rows(self, name):
        cmd = table_pb2.PreviewTableCommand(path=[self.b], tableName=name, columns=["col1", "col2", "col3"],
                                            orderBy=[IES.ExportOrderBy(columnName="col1")], filters=IES.ExportFilters(limit=1000))
        resp = table_pb2.PreviewTableResponse()
        self.assertTrue(self.x(cmd).commandResponse.Unpack(resp))
        return [tuple(c.value.string_value for c in r.columns) for r in resp.rows]

    def manifest(self, key, entries, scheme="s3"):
        body = json.dumps({"entries": [{"url": u, "mandatory": m} for u, m in entries]})
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode())

    def remote_keys(self, prefix):
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for o in r.get("Contents", []))

    def remote_get(self, key):
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def assert_no_tmp_left(self):
        tmp = os.path.join(self.srv.data_dir, "tmp")
        left = [n for n in os.listdir(tmp) if n.startswith(("import-", "export-"))] if os.path.isdir(tmp) else []
        self.assertEqual(left, [])

    def assert_unchanged(self, name):
        self.assertEqual(self.rows(name), [("s", "seed", "row")])

    def assert_no_secret_logged(self):
        log = self.srv.log()
        self.assertNotIn(self.rkey, log)
        self.assertNotIn("s3cr3tSig", log)

    # --- remote S3: import --------------------------------------------------------------------------
    def test_01_single_file(self):
        t = self.table()
        r = self.imp(t, "three.csv", skip=1)
        self.assertEqual(r.importedRowsCount, 3)
        self.assertEqual(self.rows(t), sorted(self.rows3))
        # incremental append from the same remote file; path with slashes around it
        r = self.imp(t, "three.csv", path="/import/", skip=1, incremental=True)
        self.assertEqual(r.tableRowsCount, 6)
        self.assert_no_tmp_left()
        # the files were fetched, not read locally: project A's bucket has no such object
        self.assertFalse(os.path.exists(os.path.join(self.srv.data_dir, "files", self.pid, "import")))

    def test_02_sliced_gzip_with_optional_missing(self):
        t = self.table()
        self.manifest("sliced/m1", [(f"s3://{self.bucket}/sliced/part0.csv.gz", True),
                                    (f"s3://{self.bucket}/sliced/missing.csv.gz", False),
                                    (f"s3://{self.bucket}/sliced/part1.csv.gz", True)])
        r = self.imp(t, "m1", path="sliced", sliced=True, gz=True)
        self.assertEqual(r.importedRowsCount, 3)
        self.assertEqual(self.rows(t), [("10", "p", "q"), ("11", "r", "s"), ("12", "t", "u")])
        # an empty manifest imports nothing (FULL: the table ends empty)
        self.manifest("sliced/empty", [])
        r = self.imp(t, "empty", path="sliced", sliced=True, gz=True)
        self.assertEqual((r.importedRowsCount, r.tableRowsCount), (0, 0))
        self.assert_no_tmp_left()

    def test_03_missing_mandatory_slice(self):
        t = self.table()
        url = f"s3://{self.bucket}/sliced/nope.csv.gz"
        self.manifest("sliced/m2", [(f"s3://{self.bucket}/sliced/part0.csv.gz", True), (url, True)])
        self.assertRpcError(lambda: self.imp(t, "m2", path="sliced", sliced=True, gz=True), IA, 4201,
                            f'Load error: mandatory file "{url}" not found.')
        self.assert_unchanged(t)
        # a missing single file and a missing manifest
        e = self.assertRpcError(lambda: self.imp(t, "nope.csv"), IA, 4201)
        self.assertIn(f"s3://{self.bucket}/import/nope.csv", e.details)
        self.assertIn("NoSuchKey", e.details)
        self.assertRpcError(lambda: self.imp(t, "nomanifest", path="sliced", sliced=True), IA, 4201)
        # a manifest entry that is not an s3:// URL, and one with a bad key
        self.manifest("sliced/m3", [("https://example.com/x.csv", True)])
        self.assertRpcError(lambda: self.imp(t, "m3", path="sliced", sliced=True), IA, 3000)
        self.manifest("sliced/m4", [(f"s3://{self.bucket}/a/../../x.csv", True)])
        e = self.assertRpcError(lambda: self.imp(t, "m4", path="sliced", sliced=True), IA, 3000)
        self.assertIn("..", e.details)
        self.assert_unchanged(t)
        self.assert_no_tmp_left()

    def test_04_wrong_credentials(self):
        t = self.table()
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", creds=self.creds(secret="wrong-secret")), PD, 2007,
                                retryable=False)
        self.assertIn("SignatureDoesNotMatch", e.details)
        self.assertIn("denied", e.details)
        self.assertNotIn("wrong-secret", e.details)
        # a key that is not B's: another project's key cannot read B's bucket
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", creds=self.creds(key=self.pid, secret=self.key)),
                                PD, 2007)
        self.assertIn("AccessDenied", e.details)
        # no credentials for another project's bucket: 2007 as before; for any other bucket: 3000
        self.assertRpcError(lambda: self.imp(t, "three.csv", creds=None), PD, 2007)
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", root="some-bucket", creds=None), IA, 3000)
        self.assertIn("S3Credentials", e.details)
        # a bucket that does not exist, and GCS
        admin = self.creds(key="admin", secret=self.srv.admin_key)
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", root="project-nobody", creds=admin), IA, 4201)
        self.assertIn("NoSuchBucket", e.details)
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", provider=IES.GCS), grpc.StatusCode.UNIMPLEMENTED, 900)
        self.assertIn("GCS", e.details)
        self.assert_unchanged(t)
        self.assert_no_tmp_left()
        self.assert_no_secret_logged()

    # --- remote S3: export --------------------------------------------------------------------------
    def big_table(self):
        """A table of 2000 rows, imported from the remote bucket."""
        rows = [(str(i), f"v{i}", "x,\"y\"" if i % 7 == 0 else "") for i in range(2000)]
        self.s3.put_object(Bucket=self.bucket, Key="import/big.csv", Body=csv_bytes(rows, header=False))
        t = self.table(seed=False)
        self.assertEqual(self.imp(t, "big.csv").importedRowsCount, 2000)
        return t, rows

    def read_remote_export(self, prefix, compressed=False):
        manifest = json.loads(self.remote_get(prefix + "manifest"))
        entries = manifest["entries"]
        keys = [e["url"].split("/", 3)[3] for e in entries]
        for e in entries:
            self.assertTrue(e["url"].startswith(f"s3://{self.bucket}/{prefix}"), e)
            self.assertIs(e["mandatory"], True)
        self.assertEqual(self.remote_keys(prefix), sorted(keys + [prefix + "manifest"]))
        data = b""
        for k in keys:
            self.assertTrue(k.endswith(".csv.gz" if compressed else ".csv"), k)
            body = self.remote_get(k)
            data += gzip.decompress(body) if compressed else body
        return entries, data

    def test_05_export_to_remote_bucket(self):
        t, rows = self.big_table()
        self.export(t, path="out", file_name="e1_")
        entries, data = self.read_remote_export("out/e1_")
        self.assertGreaterEqual(len(entries), 1)
        import csv as csvmod
        got = sorted(tuple(r) for r in csvmod.reader(io.StringIO(data.decode())))
        self.assertEqual(got, sorted(rows))
        # nothing was written into A's own bucket
        self.assertFalse(os.path.exists(os.path.join(self.srv.data_dir, "files", self.pid, "out")))
        # ordered + limited + gzip
        self.export(t, path="out", file_name="e2_", isCompressed=True, orderBy=[IES.ExportOrderBy(
            columnName="col1", order=IES.ExportOrderBy.DESC, dataType=IES.INTEGER)],
            filters=IES.ExportFilters(limit=3))
        entries, data = self.read_remote_export("out/e2_", compressed=True)
        self.assertEqual([line.split(",")[0] for line in data.decode().splitlines()], ["1999", "1998", "1997"])
        self.assert_no_tmp_left()

    def test_06_round_trip(self):
        t, rows = self.big_table()
        self.export(t, path="rt", file_name="r_", isCompressed=True)
        t2 = self.table()
        r = self.imp(t2, "r_manifest", path="rt", sliced=True, gz=True)
        self.assertEqual(r.importedRowsCount, 2000)
        self.assertEqual(self.rows(t2)[:3], sorted(rows)[:3])
        self.assertEqual(self.table_info(self.pid, self.key, self.b, t2).rowsCount, 2000)
        self.assert_no_tmp_left()

    def test_07_export_failures(self):
        t = self.table()
        e = self.assertRpcError(lambda: self.export(t, path="bad", creds=self.creds(secret="nope")), PD, 2007)
        self.assertIn("SignatureDoesNotMatch", e.details)
        self.assertEqual(self.remote_keys("bad/"), [])
        # a bucket that does not exist: 5000
        admin = self.creds(key="admin", secret=self.srv.admin_key)
        e = self.assertRpcError(lambda: self.export(t, path="bad", root="project-nobody", creds=admin),
                                grpc.StatusCode.INTERNAL, 5000)
        self.assertIn("NoSuchBucket", e.details)
        # a key that would leave the bucket; GCS; ABS without credentials (900, as before)
        self.assertRpcError(lambda: self.export(t, path="../x"), IA, 3000)
        self.assertRpcError(lambda: self.export(t, provider=IES.GCS), grpc.StatusCode.UNIMPLEMENTED, 900)
        self.assertRpcError(lambda: self.export(t, provider=IES.ABS, creds=None), UN, 900)
        self.assertRpcError(lambda: self.export(t, root="elsewhere", creds=None), UN, 900)
        self.assert_no_tmp_left()
        self.assert_no_secret_logged()

    # --- ABS -----------------------------------------------------------------------------------------
    def abs_creds(self, sas=SAS, key=""):
        return IES.ABSCredentials(accountName=ACCOUNT, sasToken=sas, accountKey=key)

    def test_10_abs_import_and_export(self):
        FakeBlob.blobs[("cont", "in/three.csv")] = csv_bytes(self.rows3)
        t = self.table()
        r = self.imp(t, "three.csv", path="in", root="cont", provider=IES.ABS, creds=self.abs_creds("?" + SAS), skip=1)
        self.assertEqual(r.importedRowsCount, 3)
        self.assertEqual(self.rows(t), sorted(self.rows3))
        # export, then import the export's manifest (azure:// URLs) back
        FakeBlob.puts.clear()
        self.export(t, path="ex", file_name="a_", root="cont", provider=IES.ABS, creds=self.abs_creds(),
                    isCompressed=True)
        manifest = json.loads(FakeBlob.blobs[("cont", "ex/a_manifest")])
        urls = [e["url"] for e in manifest["entries"]]
        self.assertTrue(urls and all(u.startswith(f"azure://{ACCOUNT}.blob.core.windows.net/cont/ex/a_") for u in urls),
                        urls)
        self.assertEqual([p for p, _ in FakeBlob.puts][-1], f"/{ACCOUNT}/cont/ex/a_manifest")
        self.assertTrue(all(h.get("x-ms-blob-type") == "BlockBlob" for _, h in FakeBlob.puts))
        data = b"".join(gzip.decompress(FakeBlob.blobs[("cont", u.split("/", 4)[4])]) for u in urls)
        self.assertEqual(len(data.decode().splitlines()), 3)
        t2 = self.table()
        r = self.imp(t2, "a_manifest", path="ex", root="cont", provider=IES.ABS, creds=self.abs_creds(), sliced=True,
                     gz=True)
        self.assertEqual(r.importedRowsCount, 3)
        self.assertEqual(self.rows(t2), sorted(self.rows3))
        # https:// manifest URLs are accepted too; another account's URL is not
        FakeBlob.blobs[("cont", "m/https")] = json.dumps({"entries": [
            {"url": u.replace("azure://", "https://"), "mandatory": True} for u in urls]}).encode()
        self.assertEqual(self.imp(t2, "https", path="m", root="cont", provider=IES.ABS, creds=self.abs_creds(),
                                  sliced=True, gz=True).importedRowsCount, 3)
        FakeBlob.blobs[("cont", "m/other")] = json.dumps({"entries": [
            {"url": "azure://other.blob.core.windows.net/cont/x.csv", "mandatory": True}]}).encode()
        self.assertRpcError(lambda: self.imp(t2, "other", path="m", root="cont", provider=IES.ABS,
                                             creds=self.abs_creds(), sliced=True), IA, 3000)
        self.assert_no_tmp_left()

    def test_11_abs_errors(self):
        FakeBlob.blobs[("cont", "in/three.csv")] = csv_bytes(self.rows3)
        t = self.table()
        bad = SAS.replace("s3cr3tSig", "wrongSig")
        e = self.assertRpcError(lambda: self.imp(t, "three.csv", path="in", root="cont", provider=IES.ABS,
                                                 creds=self.abs_creds(bad)), PD, 2007)
        self.assertIn("AuthenticationFailed", e.details)
        self.assertNotIn("wrongSig", e.details)
        e = self.assertRpcError(lambda: self.imp(t, "nope.csv", path="in", root="cont", provider=IES.ABS,
                                                 creds=self.abs_creds()), IA, 4201)
        self.assertIn(f"azure://{ACCOUNT}.blob.core.windows.net/cont/in/nope.csv", e.details)
        self.assertRpcError(lambda: self.imp(t, "three.csv", path="in", root="cont", provider=IES.ABS,
                                             creds=self.abs_creds(sas="", key="a2V5")), IA, 3000,
                            "ABS account keys are not supported; use a SAS token.")
        self.assertRpcError(lambda: self.imp(t, "three.csv", path="in", root="cont", provider=IES.ABS,
                                             creds=self.creds()), IA, 3000)
        self.assert_unchanged(t)
        n = len(FakeBlob.blobs)
        self.assertRpcError(lambda: self.export(t, path="ex", file_name="bad_", root="cont", provider=IES.ABS,
                                                creds=self.abs_creds(bad)), PD, 2007)
        self.assertEqual(len(FakeBlob.blobs), n)
        self.assert_no_tmp_left()
        self.assert_no_secret_logged()


class UnreachableTest(unittest.TestCase):
    """An endpoint nobody listens on: 1001, retryable; the settings are listed in --help."""

    def test_connection_refused_and_help(self):
        srv = Server(extra_args=("--s3-endpoint", f"http://127.0.0.1:{free_port()}")).start()
        try:
            pid = "u" + os.urandom(3).hex()
            key = srv.create_project(pid).projectPassword
            from harness import bucket_pb2
            srv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-u"), key=key, host=pid)
            srv.execute(table_pb2.CreateTableCommand(path=["in_c_u"], tableName="t", columns=[
                table_pb2.TableColumnShared(name="a", type="STRING", nullable=True)]), key=key, host=pid)
            cmd = table_pb2.TableImportFromFileCommand(
                fileProvider=IES.S3, fileFormat=IES.CSV, filePath=IES.FilePath(root="far-away", fileName="a.csv"),
                destination=IES.Table(path=["in_c_u"], tableName="t"))
            cmd.formatTypeOptions.Pack(CSV(columnsNames=["a"], delimiter=","))
            cmd.fileCredentials.Pack(IES.S3Credentials(key="k", secret="s"))
            from harness import RpcError
            with self.assertRaises(RpcError) as cm:
                srv.execute(cmd, key=key, host=pid)
            self.assertEqual((cm.exception.status, cm.exception.keboola_code, cm.exception.retryable),
                             (grpc.StatusCode.UNAVAILABLE, 1001, "1"), cm.exception.details)
            self.assertIn("s3://far-away/a.csv", cm.exception.details)
        finally:
            self.assertEqual(srv.stop(), 0)
            srv.cleanup()
        import subprocess
        from harness import BIN
        out = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True).stdout
        self.assertRegex(out, r"--s3-endpoint\s+S3_ENDPOINT")
        self.assertRegex(out, r"--abs-endpoint\s+ABS_ENDPOINT")
        bad = subprocess.run([BIN, "serve", "--data-dir", "/nonexistent-x", "--s3-endpoint", "ftp://x"],
                             capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertTrue(re.search(r"S3_ENDPOINT", bad.stderr + bad.stdout), bad.stderr + bad.stdout)


if __name__ == "__main__":
    unittest.main()
