"""Imports (issue 4; protocol §2.6, §3.1–§3.3, §3.6, scenarios 44–67). Fixture files are placed in the project's
bucket directory (DATA_DIR/files/<id>/) directly, which is what the S3 API writes to; the S3 API has its own tests.
Each failing import is checked to leave the destination exactly as it was (row count and a content checksum)."""
import gzip
import json
import os
import shutil
import unittest
from datetime import datetime, timezone

import grpc

from harness import ROOT, ServerTest, info_pb2, table_pb2

IA = grpc.StatusCode.INVALID_ARGUMENT
FIX = os.path.join(ROOT, "tests", "fixtures")
IEShared = table_pb2.ImportExportShared
CSV = table_pb2.TableImportFromFileCommand.CsvTypeOptions
IO = IEShared.ImportOptions
SEED_TS = "2014-11-10 13:12:06"


class ImportTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "imp")
        cls.b = cls.new_bucket(cls, cls.pid, cls.key, "in.c-imp")
        files = os.path.join(cls.srv.data_dir, "files", cls.pid)
        shutil.copytree(os.path.join(FIX, "import"), os.path.join(files, "import"))
        shutil.copytree(os.path.join(FIX, "sliced"), os.path.join(files, "sliced", "accounts"))
        os.makedirs(os.path.join(files, "sliced", "accounts-gzip"))
        for name in os.listdir(os.path.join(files, "sliced", "accounts")):
            with open(os.path.join(files, "sliced", "accounts", name), "rb") as f, \
                    gzip.open(os.path.join(files, "sliced", "accounts-gzip", name + ".gz"), "wb") as g:
                g.write(f.read())
        cls.files = files
        cls.n = 0

    # --- helpers ------------------------------------------------------------------------------------
    def x(self, cmd):
        return self.srv.execute(cmd, key=self.key, host=self.pid)

    def table(self, cols=None, pk=(), seed=True, ts=True):
        """A fresh destination (the BQ "string table" unless cols are given), seeded with 3 rows."""
        ImportTest.n += 1
        name = f"t{ImportTest.n}"
        cols = cols or [("col1", "STRING", "32000"), ("col2", "STRING", "", True), ("col3", "STRING", "", True)]
        if ts:
            cols = list(cols) + [("_timestamp", "TIMESTAMP", "", True)]
        self.create_table(self.pid, self.key, self.b, name, cols, pk=pk)
        if seed:
            t = f", TIMESTAMP '{SEED_TS}'" if ts else ""
            self.sql(f"INSERT INTO {self.b}.{name} VALUES ('1','2','4'{t}), ('2','3','3'{t}), ('3','3','3'{t})")
        return name

    def sql(self, *stmts):
        return self.srv.sql_offline(self.pid, *stmts)

    def rows(self, name, cols="col1, col2, col3"):
        return self.sql(f"SELECT {cols} FROM {self.b}.{name} ORDER BY ALL")

    def checksum(self, name):
        return self.sql(f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) "
                        f"FROM {self.b}.{name} t")

    def csv_import(self, name, file, columns=("col1", "col2", "col3"), sliced=False, gz=False, delimiter=",",
                   enclosure='"', provider=IEShared.S3, root=None, path="import", **opts):
        fmt = CSV(columnsNames=list(columns), delimiter=delimiter, enclosure=enclosure,
                  sourceType=CSV.SLICED_FILE if sliced else CSV.SINGLE_FILE, compression=CSV.GZIP if gz else CSV.NONE)
        cmd = table_pb2.TableImportFromFileCommand(
            fileProvider=provider, fileFormat=IEShared.CSV,
            filePath=IEShared.FilePath(root=root or f"project-{self.pid}", path=path, fileName=file),
            destination=IEShared.Table(path=[self.b], tableName=name), importOptions=IO(**opts))
        cmd.formatTypeOptions.Pack(fmt)
        r = self.x(cmd)
        resp = table_pb2.TableImportResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        return resp

    def manifest(self, name, entries):
        with open(os.path.join(self.files, "sliced", name), "w") as f:
            json.dump({"entries": [{"url": f"s3://project-{self.pid}/{k}", "mandatory": m} for k, m in entries]}, f)

    def timestamps(self, name):
        return dict(line.split("\t") for line in self.sql(f"SELECT col1, _timestamp FROM {self.b}.{name}"))

    # --- from files ---------------------------------------------------------------------------------
    def test_44_full_dedup_with_timestamp(self):
        t = self.table()
        r = self.csv_import(t, "a_b_c-3row.csv", numberOfIgnoredLines=1, dedupColumnsNames=["col1"],
                            timestampColumn="_timestamp")
        self.assertEqual((r.importedRowsCount, r.tableRowsCount, list(r.importedColumns)),
                         (3, 2, ["col1", "col2", "col3"]))
        self.assertGreater(r.tableSizeBytes, 0)
        self.assertEqual(self.rows(t), ["1\t2\t3", "5\t2\t3"])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        for v in self.timestamps(t).values():
            self.assertLess(abs((now - datetime.fromisoformat(v)).total_seconds()), 60)
        self.assertEqual(self.table_info(self.pid, self.key, self.b, t).rowsCount, 2)

    def test_45_46_incremental_keeps_unchanged_timestamps(self):
        for typed in (False, True):
            cols = [("col1", "INTEGER"), ("col2", "BIGINT", "", True), ("col3", "INT", "", True)] if typed else None
            t = self.table(cols)
            r = self.csv_import(t, "a_b_c-3row.csv", numberOfIgnoredLines=1, dedupColumnsNames=["col1"],
                                importType=IO.INCREMENTAL, timestampColumn="_timestamp",
                                importStrategy=IO.USER_DEFINED_TABLE if typed else IO.STRING_TABLE)
            self.assertEqual(self.rows(t), ["1\t2\t3", "2\t3\t3", "3\t3\t3", "5\t2\t3"])
            self.assertEqual(r.importedRowsCount, 2)  # unique keys of the source
            ts = self.timestamps(t)
            self.assertEqual((ts["2"], ts["3"]), (SEED_TS, SEED_TS))
            self.assertNotEqual(ts["1"], SEED_TS)
            self.assertNotEqual(ts["5"], SEED_TS)

    def test_47_48_timestamp_from_source(self):
        t = self.table()
        self.csv_import(t, "a_b_c_timestamp-3row.csv", columns=("col1", "col2", "col3", "_timestamp"),
                        numberOfIgnoredLines=1, dedupColumnsNames=["col1"], timestampColumn="_timestamp",
                        timestampMode=IO.FROM_SOURCE)
        self.assertEqual(set(self.timestamps(t).values()), {"2023-06-15 12:00:00"})
        t = self.table()
        self.csv_import(t, "a_b_c_timestamp-3row.csv", columns=("col1", "col2", "col3", "_timestamp"),
                        numberOfIgnoredLines=1, dedupColumnsNames=["col1"], timestampColumn="_timestamp",
                        timestampMode=IO.FROM_SOURCE, importType=IO.INCREMENTAL)
        ts = self.timestamps(t)
        self.assertEqual((ts["1"], ts["5"], ts["2"], ts["3"]),
                         ("2023-06-15 12:00:00", "2023-06-15 12:00:00", SEED_TS, SEED_TS))

    def test_49_50_sliced(self):
        self.manifest("plain.manifest", [("sliced/accounts/accounts.csv0000_part_00", True),
                                         ("sliced/accounts/accounts.csv0001_part_00", True)])
        self.manifest("gzip.manifest", [("sliced/accounts-gzip/accounts.csv0000_part_00.gz", True),
                                        ("sliced/accounts-gzip/accounts.csv0001_part_00.gz", True),
                                        ("sliced/accounts-gzip/optional-missing.gz", False)])
        cols = [("id", "STRING"), ("name", "STRING", "", True), ("tag", "STRING", "", True)]
        for man, gz in (("plain.manifest", False), ("gzip.manifest", True)):
            t = self.table(cols, seed=False, ts=False)
            r = self.csv_import(t, man, columns=("id", "name", "tag"), sliced=True, gz=gz, path="sliced")
            self.assertEqual((r.importedRowsCount, r.tableRowsCount, list(r.importedColumns)),
                             (3, 3, ["id", "name", "tag"]))
            self.assertEqual(self.rows(t, "id, name"), ['15\tKeboolaDev " with ščř', "18\tmulti\nline".split("\n")[0],
                                                        "line", "60\tplain"])
        # 50: incremental with dedup id onto ids 10 and 15
        t = self.table(cols, seed=False, ts=False)
        self.sql(f"INSERT INTO {self.b}.{t} VALUES ('10', 'old', 'a'), ('15', 'old', 'b')")
        self.csv_import(t, "plain.manifest", columns=("id", "name", "tag"), sliced=True, path="sliced",
                        importType=IO.INCREMENTAL, dedupColumnsNames=["id"])
        self.assertEqual(self.sql(f"SELECT id, tag FROM {self.b}.{t} ORDER BY id"),
                         ["10\ta", "15\tx", "18\ty", "60\tz"])

    def test_51_missing_mandatory_slice_changes_nothing(self):
        t = self.table()
        before = self.checksum(t)
        self.manifest("bad.manifest", [("sliced/accounts/accounts.csv0000_part_00", True),
                                       ("sliced/accounts/nope", True)])
        e = self.assertRpcError(lambda: self.csv_import(t, "bad.manifest", sliced=True, path="sliced"), IA, 4201)
        self.assertIn("Load error", e.details)
        self.assertEqual(self.checksum(t), before)
        self.assertRpcError(lambda: self.csv_import(t, "missing.csv"), IA, 4201)

    def test_52_53_54_nulls_and_empty_values(self):
        with open(os.path.join(self.files, "import", "empty.csv"), "w") as f:
            f.write("1,,x\n2,b,\n")
        t = self.table(seed=False)
        self.csv_import(t, "empty.csv")  # 53: default importAsNull → '' stays ''
        self.assertEqual(self.sql(f"SELECT col1, col2 IS NULL, col3 IS NULL FROM {self.b}.{t} ORDER BY 1"),
                         ["1\tfalse\tfalse", "2\tfalse\tfalse"])
        self.csv_import(t, "empty.csv", convertEmptyValuesToNullOnColumns=["col2"])  # 54
        self.assertEqual(self.sql(f"SELECT col1, col2 IS NULL, col3 IS NULL FROM {self.b}.{t} ORDER BY 1"),
                         ["1\ttrue\tfalse", "2\tfalse\tfalse"])
        # 52: importAsNull [''], USER_DEFINED_TABLE, an empty value for a NOT NULL column
        t2 = self.table([("col1", "STRING"), ("col2", "STRING"), ("col3", "STRING", "", True)], seed=False, ts=False)
        self.sql(f"INSERT INTO {self.b}.{t2} VALUES ('k', 'v', 'w')")
        before = self.checksum(t2)
        self.assertRpcError(lambda: self.csv_import(t2, "empty.csv", importAsNull=[""],
                                                    importStrategy=IO.USER_DEFINED_TABLE), IA, 3000,
                            "Required field col2 cannot be null", retryable=False)
        self.assertEqual(self.checksum(t2), before)

    def test_55_bad_csv_changes_nothing(self):
        bad = {"fields.csv": "1,2,3\n4,5\n", "enclosure.csv": '1,"2,3\n', "utf8.csv": b"1,\xff\xfe,3\n"}
        for name, content in bad.items():
            with open(os.path.join(self.files, "import", name), "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
        t = self.table()
        before = self.checksum(t)
        for name in bad:
            e = self.assertRpcError(lambda: self.csv_import(t, name), IA, 3000, retryable=False)
            self.assertIn("CSV Error on Line", e.details)
            # DuckDB's advice about read_csv options and its reader settings (server paths) are not passed on
            for leak in ("\n", "Possible", "strict_mode", self.srv.data_dir):
                self.assertNotIn(leak, e.details)
        self.assertEqual(self.checksum(t), before)

    def test_56_bad_options(self):
        t = self.table()
        self.assertRpcError(lambda: self.csv_import(t, "a_b_c-3row.csv", delimiter=""), IA, 3000,
                            "Delimiter cannot be empty.")
        e = self.assertRpcError(lambda: self.csv_import(t, "a_b_c-3row.csv", delimiter=";;"), IA, 3000)
        self.assertIn("Delimiter must be a single character", e.details)
        self.assertRpcError(lambda: self.csv_import(t, "a_b_c-3row.csv", provider=IEShared.GCS),
                            grpc.StatusCode.UNIMPLEMENTED, 900, "File provider GCS is not supported yet; use S3 or ABS.")
        cmd = table_pb2.TableImportFromFileCommand(
            fileFormat=IEShared.CSV, filePath=IEShared.FilePath(root=f"project-{self.pid}", fileName="x"),
            destination=IEShared.Table(path=[self.b], tableName=t))
        cmd.formatTypeOptions.Pack(CSV(columnsNames=["col1"], delimiter=",", sourceType=CSV.DIRECTORY))
        e = self.assertRpcError(lambda: self.x(cmd), IA, 3000)
        self.assertIn("directory is not supported", e.details)
        # a key that tries to leave the bucket
        e = self.assertRpcError(lambda: self.csv_import(t, "../../catalog.duckdb", path=""), IA, 3000)
        self.assertIn("..", e.details)
        # another project's bucket
        self.assertRpcError(lambda: self.csv_import(t, "a_b_c-3row.csv", root="project-someoneelse"),
                            grpc.StatusCode.PERMISSION_DENIED, 2007)

    def test_57_58_destination_and_columns(self):
        self.assertRpcError(lambda: self.csv_import("nope", "a_b_c-3row.csv"), grpc.StatusCode.NOT_FOUND, 2000,
                            'Object "nope" not found.')
        t = self.table()
        e = self.assertRpcError(lambda: self.csv_import(t, "a_b_c-3row.csv", columns=("col1", "colX", "col3")),
                                IA, 4101)
        self.assertIn('Columns "colX" can be imported as it was not found between columns', e.details)

    def test_varchar_length_and_fail_on_duplicates(self):
        t = self.table([("col1", "STRING", "1"), ("col2", "STRING", "", True), ("col3", "STRING", "", True)],
                       seed=False, ts=False)
        with open(os.path.join(self.files, "import", "long.csv"), "w") as f:
            f.write("ab,2,3\n")
        self.assertRpcError(lambda: self.csv_import(t, "long.csv"), IA, 3000,
                            "Field col1: VARCHAR(1) has maximum length 1 but got a value with length 2")
        self.assertEqual(self.checksum(t)[0].split("\t")[0], "0")
        t2 = self.table(pk=["col1"])
        before = self.checksum(t2)
        e = self.assertRpcError(lambda: self.csv_import(t2, "a_b_c-3row.csv", numberOfIgnoredLines=1,
                                                        dedupType=IO.FAIL_ON_DUPLICATES), IA, 3000)
        self.assertIn("duplicate", e.details)
        with open(os.path.join(self.files, "import", "clash.csv"), "w") as f:
            f.write("2,x,y\n9,x,y\n")
        e = self.assertRpcError(lambda: self.csv_import(t2, "clash.csv", dedupType=IO.FAIL_ON_DUPLICATES,
                                                        importType=IO.INCREMENTAL), IA, 3000)
        self.assertIn("already holds", e.details)
        self.assertEqual(self.checksum(t2), before)
        # the primary key is the dedup key when dedupColumnsNames is empty
        self.csv_import(t2, "a_b_c-3row.csv", numberOfIgnoredLines=1, importType=IO.INCREMENTAL)
        self.assertEqual(self.rows(t2), ["1\t2\t3", "2\t3\t3", "3\t3\t3", "5\t2\t3"])

    def test_full_without_key_replaces_and_incremental_appends(self):
        t = self.table()
        r = self.csv_import(t, "a_b_c-3row.csv", numberOfIgnoredLines=1, dedupType=IO.INSERT_DUPLICATES)
        self.assertEqual((r.importedRowsCount, r.tableRowsCount), (3, 3))
        r = self.csv_import(t, "a_b_c-3row.csv", numberOfIgnoredLines=1, importType=IO.INCREMENTAL)
        self.assertEqual(r.tableRowsCount, 6)
        self.assertEqual(self.table_info(self.pid, self.key, self.b, t).rowsCount, 6)  # the cache followed

    # --- from a table -------------------------------------------------------------------------------
    def from_table(self, src, dest, mappings=(), **opts):
        cm = [table_pb2.TableImportFromTableCommand.SourceTableMapping.ColumnMapping(
            sourceColumnName=a, destinationColumnName=b) for a, b in mappings]
        r = self.x(table_pb2.TableImportFromTableCommand(
            source=table_pb2.TableImportFromTableCommand.SourceTableMapping(path=[self.b], tableName=src,
                                                                            columnMappings=cm),
            destination=IEShared.Table(path=[self.b], tableName=dest), importOptions=IO(**opts)))
        resp = table_pb2.TableImportResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        return resp

    def test_59_60_61_from_table(self):
        src = self.table(ts=False, seed=False)
        self.sql(f"INSERT INTO {self.b}.{src} VALUES ('1','1','a'), ('2','2','b'), ('3','3','c'), ('2','2','d'), "
                 f"('3','3','e')")
        d = self.table([("col1", "STRING"), ("col2", "STRING", "", True), ("col4", "STRING", "", True)], seed=False)
        r = self.from_table(src, d, [("col1", "col1"), ("col2", "col2")], dedupType=IO.INSERT_DUPLICATES)
        self.assertEqual((r.importedRowsCount, r.tableRowsCount, list(r.importedColumns)), (5, 5, ["col1", "col2"]))
        r = self.from_table(src, d, [("col1", "col1"), ("col2", "col4")], dedupColumnsNames=["col1"],
                            timestampColumn="_timestamp")
        self.assertEqual((r.importedRowsCount, r.tableRowsCount, list(r.importedColumns)), (5, 3, ["col1", "col4"]))
        self.assertEqual(self.rows(d, "col1, col4"), ["1\t1", "2\t2", "3\t3"])
        self.sql(f"UPDATE {self.b}.{src} SET col2 = '9' WHERE col1 = '3'", f"INSERT INTO {self.b}.{src} VALUES "
                 f"('4','4','f')")
        r = self.from_table(src, d, [("col1", "col1"), ("col2", "col4")], dedupColumnsNames=["col1"],
                            importType=IO.INCREMENTAL)
        self.assertEqual(r.importedRowsCount, 4)
        self.assertEqual(self.rows(d, "col1, col4"), ["1\t1", "2\t2", "3\t9", "4\t4"])

    def test_62_63_from_table_errors(self):
        src = self.table(ts=False, seed=False)
        self.sql(f"INSERT INTO {self.b}.{src} VALUES ('1', NULL, 'a')")
        d = self.table([("col1", "STRING"), ("col2", "STRING"), ("col3", "STRING", "", True)], seed=False, ts=False)
        self.assertRpcError(lambda: self.from_table(src, d, importStrategy=IO.USER_DEFINED_TABLE), IA, 3000,
                            "Required field col2 cannot be null")
        n = self.table([("col1", "NUMERIC", "10,2"), ("col2", "STRING", "", True), ("col3", "STRING", "", True)],
                       seed=False, ts=False)
        e = self.assertRpcError(lambda: self.from_table(src, n, importStrategy=IO.USER_DEFINED_TABLE), IA, 3000)
        self.assertTrue(e.details.startswith("Source destination columns mismatch."), e.details)

    def test_65_66_67_view_and_clone(self):
        src = self.table(pk=["col1"])
        r = self.from_table(src, "v_" + src, importType=IO.VIEW)
        self.assertEqual((r.importedRowsCount, list(r.importedColumns), r.tableRowsCount), (0, [], 0))
        info = self.info(self.pid, self.key, [self.b, "v_" + src], info_pb2.VIEW)
        self.assertEqual([c.name for c in info.viewInfo.columns], ["col1", "col2", "col3", "_timestamp"])
        self.assertEqual(self.sql(f'SELECT count(*) FROM {self.b}."v_{src}"'), ["3"])
        r = self.from_table(src, "c_" + src, importType=IO.CLONE)
        self.assertEqual((r.importedRowsCount, list(r.importedColumns), r.tableRowsCount), (0, [], 3))
        t = self.table_info(self.pid, self.key, self.b, "c_" + src)
        self.assertEqual((t.rowsCount, list(t.primaryKeysNames), t.columns[0].length), (3, ["col1"], "32000"))
        for kind in (IO.VIEW, IO.CLONE):
            self.assertRpcError(lambda: self.from_table(src, "c_" + src, importType=kind),
                                grpc.StatusCode.ALREADY_EXISTS, 2006, "Object already exists.")
        self.from_table(src, "c_" + src, importType=IO.VIEW, createMode=IO.REPLACE)
        self.info(self.pid, self.key, [self.b, "c_" + src], info_pb2.VIEW)


if __name__ == "__main__":
    unittest.main()
