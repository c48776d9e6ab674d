"""A 100,000-row table through export and import (issue 4): the export's slices and manifest are fetched and
checked through the S3 API with boto3, then imported back (sliced, gzip; and Parquet) into a new table, and the
content checksums of both tables must be equal."""
import gzip
import json
import unittest

import boto3
from botocore.config import Config

from harness import ServerTest, table_pb2

IES = table_pb2.ImportExportShared
CSV = table_pb2.TableImportFromFileCommand.CsvTypeOptions
IO = IES.ImportOptions
COLS = [("id", "BIGINT"), ("name", "STRING", "", True), ("amount", "NUMERIC", "12,2", True),
        ("flag", "BOOLEAN", "", True), ("d", "DATE", "", True), ("ts", "TIMESTAMP", "", True),
        ("note", "STRING", "", True)]
NAMES = [c[0] for c in COLS]
ROWS = 100000


class RoundTripTest(ServerTest):
    def test_export_then_import_keeps_the_content(self):
        pid, key = self.new_project("rt")
        b = self.new_bucket(pid, key, "in.c-rt")
        for t in ("src", "back_csv", "back_parquet"):
            self.create_table(pid, key, b, t, COLS, pk=["id"])
        # quotes, commas, newlines, UTF-8, NULLs and empty strings in the data
        self.srv.sql_offline(pid, f"""INSERT INTO {b}.src SELECT i,
            CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN '' ELSE 'name "' || i || '", ščř' END,
            (i * 1.25)::DECIMAL(12,2), i % 2 = 0, DATE '2020-01-01' + (i % 1000)::INTEGER,
            TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i), CASE WHEN i % 13 = 0 THEN 'multi' || chr(10) || 'line'
            ELSE 'n' || (i % 97) END FROM range({ROWS}) t(i)""")

        def checksum(table):
            return self.srv.sql_offline(pid, f"SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY id)) "
                                             f"FROM {b}.{table} t")[0]

        want = checksum("src")
        self.assertTrue(want.startswith(f"{ROWS}\t"))

        def export(fmt, compressed, prefix):
            r = self.srv.execute(table_pb2.TableExportToFileCommand(
                source=IES.Table(path=[b], tableName="src"), fileProvider=IES.S3, fileFormat=fmt,
                filePath=IES.FilePath(root=f"project-{pid}", path="rt", fileName=prefix),
                exportOptions=IES.ExportOptions(isCompressed=compressed)), key=key, host=pid)
            resp = table_pb2.TableExportToFileResponse()
            self.assertTrue(r.commandResponse.Unpack(resp))
            self.assertEqual(resp.tableInfo.tableName, "src")

        export(IES.CSV, True, "csv_")
        export(IES.PARQUET, False, "pq_")
        # the manifest and slices through the S3 API
        s3 = boto3.client("s3", endpoint_url=self.srv.rest_url, aws_access_key_id=pid, aws_secret_access_key=key,
                          region_name="us-east-1", config=Config(s3={"addressing_style": "path"},
                                                                 signature_version="s3v4"))
        manifest = json.loads(s3.get_object(Bucket=f"project-{pid}", Key="rt/csv_manifest")["Body"].read())
        urls = [e["url"] for e in manifest["entries"]]
        self.assertTrue(urls and all(e["mandatory"] for e in manifest["entries"]))
        lines = 0
        for u in urls:
            self.assertTrue(u.startswith(f"s3://project-{pid}/rt/csv_"), u)
            body = s3.get_object(Bucket=f"project-{pid}", Key=u.split("/", 3)[3])["Body"].read()
            lines += gzip.decompress(body).count(b"\n")
        self.assertEqual(lines, ROWS + len(range(0, ROWS, 13)))  # each multi-line note adds a line
        listed = s3.list_objects_v2(Bucket=f"project-{pid}", Prefix="rt/csv_")["KeyCount"]
        self.assertEqual(listed, len(urls) + 1)

        def import_back(table, fmt, compressed, manifest_name):
            cmd = table_pb2.TableImportFromFileCommand(
                fileProvider=IES.S3, fileFormat=fmt,
                filePath=IES.FilePath(root=f"project-{pid}", path="rt", fileName=manifest_name),
                destination=IES.Table(path=[b], tableName=table),
                importOptions=IO(importStrategy=IO.USER_DEFINED_TABLE, importAsNull=[""] if fmt == IES.CSV else []))
            cmd.formatTypeOptions.Pack(CSV(columnsNames=NAMES, delimiter=",", enclosure='"',
                                           sourceType=CSV.SLICED_FILE,
                                           compression=CSV.GZIP if compressed else CSV.NONE))
            r = self.srv.execute(cmd, key=key, host=pid)
            resp = table_pb2.TableImportResponse()
            self.assertTrue(r.commandResponse.Unpack(resp))
            self.assertEqual((resp.importedRowsCount, resp.tableRowsCount), (ROWS, ROWS))

        import_back("back_parquet", IES.PARQUET, False, "pq_manifest")
        self.assertEqual(checksum("back_parquet"), want)
        import_back("back_csv", IES.CSV, True, "csv_manifest")
        # CSV cannot tell NULL from '' (both are empty fields); everything else must match exactly
        got = self.srv.sql_offline(pid, f"SELECT count(*) FROM {b}.back_csv c JOIN {b}.src s USING (id) WHERE "
                                        "c.amount = s.amount AND c.flag = s.flag AND c.d = s.d AND c.ts = s.ts AND "
                                        "c.note = s.note AND coalesce(c.name, '') = coalesce(s.name, '')")
        self.assertEqual(got, [str(ROWS)])


if __name__ == "__main__":
    unittest.main()
