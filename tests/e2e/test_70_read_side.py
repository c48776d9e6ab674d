"""PreviewTable, TableExportToFile, DeleteTableRows and CreateProfileTable (protocol §2.5, §2.6, §3.4, §3.5;
scenarios 15-17 and 72-84 of §6). Rows are put in with tests/tools/ds_sql (srv.sql_offline)."""
import glob
import gzip
import json
import os
import unittest

import grpc

from harness import ServerTest, table_pb2

IA = grpc.StatusCode.INVALID_ARGUMENT
NF = grpc.StatusCode.NOT_FOUND
UN = grpc.StatusCode.UNIMPLEMENTED
IES = table_pb2.ImportExportShared
WF = IES.TableWhereFilter
OB = IES.ExportOrderBy
EF = IES.ExportFilters
T0 = 1641038400  # 2022-01-01 12:00:00 UTC

TYPED = [("id", "INTEGER"), ("int", "INTEGER", "", True), ("decimal_varchar", "STRING", "", True),
         ("name", "STRING", "", True), ("big", "STRING", "", True), ("_timestamp", "TIMESTAMP", "", True)]
TYPED_ROWS = ("(1, 100, '100.10', 'alpha', NULL, TIMESTAMP '2022-01-01 12:00:01'), "
              "(2, 100, '100.20', 'beta%', repeat('x', 20000), TIMESTAMP '2022-01-01 12:00:02'), "
              "(3, 200, '100.30', 'gamma', NULL, TIMESTAMP '2022-01-01 12:00:03'), "
              "(4, NULL, 'abc', NULL, NULL, TIMESTAMP '2022-01-01 12:00:04')")
DELETE_TABLES = ["d_all", "d_where", "d_change", "d_ref", "d_ref2", "d_fail", "d_multi"]


def wf(col, op, values, dt=IES.STRING):
    return WF(columnsName=col, operator=op, values=values, dataType=dt)


class ReadSideTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "rs")
        cls.s = s = cls.new_bucket(cls, cls.pid, cls.key, "in.c-rs")
        for t in ["typed"] + DELETE_TABLES:
            cls.create_table(cls, cls.pid, cls.key, s, t, TYPED, pk=["id"])
        cls.create_table(cls, cls.pid, cls.key, s, "many", [("id", "INTEGER"), ("s", "STRING", "", True)])
        cls.create_table(cls, cls.pid, cls.key, s, "big", [("id", "INTEGER"), ("s", "STRING", "", True)])
        cls.create_table(cls, cls.pid, cls.key, s, "refs", [("id", "INTEGER")])
        cls.create_table(cls, cls.pid, cls.key, s, "refs2", [("rid", "INTEGER")])
        stmts = [f"INSERT INTO {s}.{t} VALUES {TYPED_ROWS}" for t in ["typed"] + DELETE_TABLES]
        stmts += [f"INSERT INTO {s}.many SELECT range, 'v' || range FROM range(150)",
                  f"INSERT INTO {s}.big SELECT range, 'value,\"' || range FROM range(300000)",
                  f"INSERT INTO {s}.refs VALUES (1), (3)",
                  f"INSERT INTO {s}.refs2 VALUES (3)"]
        cls.srv.sql_offline(cls.pid, *stmts)

    def run_cmd(self, cmd, resp_type):
        r = self.srv.execute(cmd, key=self.key, host=self.pid)
        resp = resp_type()
        self.assertTrue(r.commandResponse.Unpack(resp), r.commandResponse.type_url)
        return resp

    # --- preview ---------------------------------------------------------------------------------------
    def preview(self, columns, table="typed", order=(), **filters):
        cmd = table_pb2.PreviewTableCommand(path=[self.s], tableName=table, columns=columns, orderBy=list(order))
        if filters:
            cmd.filters.CopyFrom(EF(**filters))
        return self.run_cmd(cmd, table_pb2.PreviewTableResponse)

    @staticmethod
    def cells(resp):
        out = []
        for row in resp.rows:
            r = []
            for c in row.columns:
                kind = c.value.WhichOneof("kind")
                assert kind in ("string_value", "null_value"), kind
                r.append(None if kind == "null_value" else c.value.string_value)
            out.append(r)
        return out

    def ids(self, **filters):
        order = filters.pop("order", [OB(columnName="id", order=OB.ASC, dataType=IES.INTEGER)])
        return [int(r[0]) for r in self.cells(self.preview(["id"], order=order, **filters))]

    def preview_error(self, status, code, message, **kw):
        cmd = table_pb2.PreviewTableCommand(path=[self.s], tableName="typed", columns=["id"])
        for k, v in kw.items():
            if k == "filters":
                cmd.filters.CopyFrom(v)
            else:
                setattr(cmd, k, v) if not isinstance(v, list) else getattr(cmd, k).extend(v)
        if "columns" in kw:
            del cmd.columns[:]
            cmd.columns.extend(kw["columns"])
        e = self.assertRpcError(lambda: self.srv.execute(cmd, key=self.key, host=self.pid), status, code)
        self.assertEqual(e.details, message)

    def test_15_73_preview_values(self):
        r = self.preview(["id", "name", "int", "_timestamp"], order=[OB(columnName="id")])
        self.assertEqual(list(r.columns), ["id", "name", "int", "_timestamp"])
        self.assertEqual(self.cells(r), [["1", "alpha", "100", "2022-01-01 12:00:01"],
                                         ["2", "beta%", "100", "2022-01-01 12:00:02"],
                                         ["3", "gamma", "200", "2022-01-01 12:00:03"],
                                         ["4", None, None, "2022-01-01 12:00:04"]])
        for row in r.rows:
            self.assertEqual([c.columnName for c in row.columns], ["id", "name", "int", "_timestamp"])
            self.assertFalse(any(c.isTruncated for c in row.columns))

    def test_72_truncated(self):
        r = self.preview(["id", "big"], order=[OB(columnName="id")])
        cell = r.rows[1].columns[1]
        self.assertEqual(len(cell.value.string_value), 16384)
        self.assertTrue(cell.isTruncated)
        self.assertFalse(r.rows[0].columns[1].isTruncated)
        self.assertEqual(r.rows[0].columns[1].value.WhichOneof("kind"), "null_value")

    def test_74_limits_and_asserts(self):
        self.assertEqual(len(self.preview(["id"], table="many").rows), 100)
        self.assertEqual(len(self.preview(["id"], table="many", limit=0).rows), 100)
        self.assertEqual(len(self.preview(["id"], table="many", limit=1000).rows), 150)
        self.assertEqual(len(self.preview(["id"], table="many", limit=7).rows), 7)
        self.preview_error(IA, 3000, "PreviewTableCommand.limit cannot be greater than 1000", filters=EF(limit=2000))
        self.preview_error(IA, 3000, "PreviewTableCommand.columns has non unique names", columns=["id", "name", "id"])
        self.preview_error(IA, 3000, "PreviewTableCommand.columns is required", columns=[])
        self.preview_error(IA, 3000, "PreviewTableCommand.tableName is required", tableName="")
        self.preview_error(IA, 3000, "PreviewTableCommand.path is required and size must equal 1", path=["a", "b"])
        self.preview_error(IA, 3000, "PreviewTableCommand.orderBy.1.columnName is required",
                           orderBy=[OB(columnName="id"), OB(columnName="")])

    def test_75_76_change_and_columns(self):
        self.preview_error(IA, 3000, "PreviewTableCommand.changeSince must be numeric timestamp",
                           filters=EF(changeSince="2022-11-01 12:00:00 UTC"))
        self.preview_error(IA, 3000, "PreviewTableCommand.changeUntil must be numeric timestamp",
                           filters=EF(changeUntil="yesterday"))
        self.preview_error(NF, 2005, 'Column "non-exist" not found in table definition.', columns=["id", "non-exist"])
        self.preview_error(NF, 2005, 'Column "nope" not found in table definition.', orderBy=[OB(columnName="nope")])
        e = self.assertRpcError(lambda: self.preview(["id"], table="many", changeSince=str(T0)), IA, 3000)
        self.assertIn('"_timestamp"', e.details)
        self.assertRpcError(lambda: self.preview(["id"], table="nope"), NF, 2000, 'Object "nope" not found.')

    def test_77_change_since_until(self):
        self.assertEqual(self.ids(changeSince=str(T0 + 1), changeUntil=str(T0 + 2)), [1])
        self.assertEqual(self.ids(changeSince=str(T0 + 1), changeUntil=str(T0 + 3)), [1, 2])
        self.assertEqual(self.ids(changeSince=str(T0 + 3)), [3, 4])
        self.assertEqual(self.ids(changeUntil=str(T0 + 2)), [1])

    def test_78_where_filters(self):
        self.assertEqual(self.ids(whereFilters=[wf("int", WF.ge, ["100"], IES.INTEGER)]), [1, 2, 3])
        self.assertEqual(self.ids(whereFilters=[wf("int", WF.gt, ["100"], IES.INTEGER),
                                                wf("int", WF.lt, ["210"], IES.INTEGER),
                                                wf("int", WF.eq, ["99", "100", "199", "200"], IES.INTEGER)]), [3])
        self.assertEqual(self.ids(whereFilters=[wf("decimal_varchar", WF.eq, ["100.2"], IES.REAL)]), [2])
        # column names match case-insensitively; STRING on a string column compares text
        self.assertEqual(self.ids(whereFilters=[wf("NAME", WF.ne, ["alpha", "gamma"])]), [2])
        self.assertEqual(self.ids(whereFilters=[wf("decimal_varchar", WF.ge, ["100.2"], IES.DOUBLE),
                                                wf("decimal_varchar", WF.lt, ["100.3"], IES.DECIMAL)]), [2])
        # a value that does not cast on a string column matches nothing
        self.assertEqual(self.ids(whereFilters=[wf("name", WF.gt, ["x"], IES.INTEGER)]), [])
        # TIMESTAMP filters take epoch seconds
        self.assertEqual(self.ids(whereFilters=[wf("_timestamp", WF.lt, [str(T0 + 3)], IES.TIMESTAMP)]), [1, 2])

    def test_79_81_filter_errors(self):
        def err(message, code=3000, status=IA, **f):
            e = self.assertRpcError(lambda: self.preview(["id"], **f), status, code)
            self.assertEqual(e.details, message)
        err('whereFilter with multiple values can be used only with "eq", "ne" operators',
            whereFilters=[wf("int", WF.ge, ["1", "2"])])
        err('Column "nope" not found on table "typed" for where filter.', whereFilters=[wf("nope", WF.eq, ["1"])])
        err("Cannot use fulltextSearch and whereFilters at the same time", fulltextSearch="a",
            whereFilters=[wf("int", WF.eq, ["1"])])
        err('Invalid filter value, expected:"BIGINT", actual:"abc".', whereFilters=[wf("int", WF.eq, ["1", "abc"])])
        err('WHERE filter for column "int" must have at least one value.', whereFilters=[wf("int", WF.eq, [])])

    def test_fulltext(self):
        self.assertEqual(self.ids(fulltextSearch="ta%"), [2])  # % is matched literally
        self.assertEqual(self.ids(fulltextSearch="a"), [1, 2, 3, 4])  # over every string column
        self.assertEqual(self.ids(fulltextSearch="mm"), [3])
        self.assertEqual(self.ids(fulltextSearch="'; DROP TABLE x; --"), [])

    def test_order_by_all_entries(self):
        order = [OB(columnName="int", order=OB.DESC, dataType=IES.INTEGER), OB(columnName="id", order=OB.DESC)]
        self.assertEqual(self.ids(order=order), [3, 2, 1, 4])
        # a typed sort of a string column: 'abc' casts to NULL, first when ascending
        self.assertEqual(self.ids(order=[OB(columnName="decimal_varchar", order=OB.ASC, dataType=IES.REAL)]),
                         [4, 1, 2, 3])
        self.assertEqual(self.ids(order=[OB(columnName="decimal_varchar", order=OB.DESC)]), [4, 3, 2, 1])
        self.assertEqual(self.ids(order=[OB(columnName="id", order=OB.DESC)], limit=2), [4, 3])

    def test_preview_over_rest(self):
        body = {"credentials": {"@type": "type.googleapis.com/keboola.storageDriver.credentials."
                                         "GenericBackendCredentials", "host": self.pid},
                "command": {"@type": "type.googleapis.com/keboola.storageDriver.command.table.PreviewTableCommand",
                            "path": [self.s], "tableName": "typed", "columns": ["id", "int"],
                            "orderBy": [{"columnName": "id", "order": "DESC"}], "filters": {"limit": 1}}}
        r = self.srv.post("/driver/execute", json=body, headers={"Authorization": "Bearer " + self.key})
        self.assertEqual(r.status_code, 200, r.text)
        rows = r.json()["commandResponse"]["rows"]
        self.assertEqual(rows, [{"columns": [{"columnName": "id", "value": "4"},
                                             {"columnName": "int", "value": None}]}])

    # --- export ----------------------------------------------------------------------------------------
    def export(self, table="typed", root=None, path="exp", file_name="f_", fmt=IES.CSV, provider=IES.S3, **opts):
        cmd = table_pb2.TableExportToFileCommand(
            source=IES.Table(path=[self.s], tableName=table), fileProvider=provider, fileFormat=fmt,
            filePath=IES.FilePath(root=root or f"project-{self.pid}", path=path, fileName=file_name))
        filters = opts.pop("filters", None)
        cmd.exportOptions.CopyFrom(IES.ExportOptions(**opts))
        if filters:
            cmd.exportOptions.filters.CopyFrom(filters)
        return self.run_cmd(cmd, table_pb2.TableExportToFileResponse)

    def files_dir(self):
        return os.path.join(self.srv.data_dir, "files", self.pid)

    def read_export(self, key_prefix, compressed=False):
        """Returns (manifest entries, all rows of the slices in manifest order); checks that the prefix holds
        exactly the slices and the manifest."""
        base = os.path.join(self.files_dir(), key_prefix)
        with open(base + "manifest") as f:
            manifest = json.load(f)
        entries = manifest["entries"]
        self.assertEqual(set(manifest), {"entries"})
        on_disk = sorted(glob.glob(glob.escape(base) + "*"))
        want = sorted([base + "manifest"] + [os.path.join(self.files_dir(), e["url"].split("/", 3)[3])
                                             for e in entries])
        self.assertEqual(on_disk, want)
        lines = []
        for e in entries:
            self.assertTrue(e["url"].startswith(f"s3://project-{self.pid}/{key_prefix}"), e)
            self.assertIs(e["mandatory"], True)
            p = os.path.join(self.files_dir(), e["url"].split("/", 3)[3])
            self.assertTrue(p.endswith(".csv.gz" if compressed else ".csv"), p)
            with open(p, "rb") as f:
                data = f.read()
            if compressed:
                self.assertEqual(data[:2], b"\x1f\x8b")
                data = gzip.decompress(data)
            lines += data.decode().splitlines()
        return entries, lines

    def assert_no_tmp_left(self):
        """No export leftovers in DATA_DIR/tmp (tmp/duckdb is DuckDB's spill space, part of the layout)."""
        left = glob.glob(os.path.join(self.srv.data_dir, "tmp", "*"))
        self.assertEqual([p for p in left if os.path.basename(p) != "duckdb"], [])

    def test_16_export_plain(self):
        r = self.export(path="/exp/plain/", file_name="t_")
        ti = r.tableInfo
        self.assertEqual((ti.tableName, list(ti.path), list(ti.primaryKeysNames)), ("typed", [self.s], ["id"]))
        self.assertEqual([c.name for c in ti.columns], [c[0] for c in TYPED])
        self.assertEqual(ti.rowsCount, 4)
        entries, lines = self.read_export("exp/plain/t_")
        self.assertEqual(entries[0]["url"], f"s3://project-{self.pid}/exp/plain/t_000000000000.csv")
        self.assertEqual(len(lines), 4)  # no header
        self.assertEqual(sorted(line.split(",")[0] for line in lines), ["1", "2", "3", "4"])
        self.assertIn("4,,abc,,,2022-01-01 12:00:04", lines)  # NULL is empty
        self.assert_no_tmp_left()

    def test_82_export_compressed_parallel(self):
        entries, lines = self.read_export_of("big_", table="big", isCompressed=True)
        self.assertEqual(len(lines), 300000)
        self.assertIn('7,"value,""7"', lines)
        self.assertGreaterEqual(len(entries), 1)
        self.assert_no_tmp_left()

    def read_export_of(self, file_name, compressed=None, **kw):
        self.export(file_name=file_name, **kw)
        return self.read_export("exp/" + file_name, compressed=kw.get("isCompressed", False))

    def test_82_export_options(self):
        _, lines = self.read_export_of("cols_", columnsToExport=["id", "name"],
                                       orderBy=[OB(columnName="id", order=OB.DESC)])
        self.assertEqual(lines, ["4,", "3,gamma", "2,beta%", "1,alpha"])
        _, lines = self.read_export_of("lim_", columnsToExport=["id"], filters=EF(limit=2),
                                       orderBy=[OB(columnName="id", order=OB.ASC, dataType=IES.INTEGER)])
        self.assertEqual(lines, ["1", "2"])
        _, lines = self.read_export_of("chg_", columnsToExport=["id"],
                                       filters=EF(changeSince=str(T0 + 1), changeUntil=str(T0 + 2)))
        self.assertEqual(lines, ["1"])
        _, lines = self.read_export_of("whr_", columnsToExport=["id"], orderBy=[OB(columnName="id")],
                                       filters=EF(whereFilters=[wf("decimal_varchar", WF.gt, ["100.15"], IES.REAL),
                                                                wf("decimal_varchar", WF.lt, ["100.25"], IES.REAL)]))
        self.assertEqual(lines, ["2"])
        _, lines = self.read_export_of("gz_", columnsToExport=["name"], isCompressed=True,
                                       orderBy=[OB(columnName="name", order=OB.DESC)])
        self.assertEqual(lines, ["gamma", "beta%", "alpha", ""])
        _, lines = self.read_export_of("none_", columnsToExport=["id"], filters=EF(changeSince=str(T0 + 100)))
        self.assertEqual(lines, [])

    def test_export_parquet(self):
        self.export(file_name="pq_", fmt=IES.PARQUET, isCompressed=True)
        with open(os.path.join(self.files_dir(), "exp", "pq_manifest")) as f:
            entries = json.load(f)["entries"]
        self.assertEqual(len(entries), 1)
        p = os.path.join(self.files_dir(), entries[0]["url"].split("/", 3)[3])
        self.assertTrue(p.endswith(".parquet"))
        with open(p, "rb") as f:
            data = f.read()
        self.assertEqual((data[:4], data[-4:]), (b"PAR1", b"PAR1"))

    def test_83_export_errors(self):
        e = self.assertRpcError(lambda: self.export(file_name="bad_", columnsToExport=["id", "non-exist"]), IA, 3000)
        self.assertIn("non-exist", e.details)
        self.assertRpcError(lambda: self.export(file_name="bad_", root="project-someoneelse"), UN, 900)
        self.assertRpcError(lambda: self.export(file_name="bad_", root="my-gcs-bucket"), UN, 900)
        self.assertRpcError(lambda: self.export(file_name="bad_", provider=IES.ABS), UN, 900)
        self.assertRpcError(lambda: self.export(file_name="bad_", path="../../x"), IA, 3000)
        self.assertRpcError(lambda: self.export(file_name="bad_", filters=EF(whereFilters=[wf("int", WF.eq, ["x"])])),
                            IA, 3000, 'Invalid filter value, expected:"BIGINT", actual:"x".')
        self.assertRpcError(lambda: self.export(table="nope", file_name="bad_"), NF, 2000)
        self.assertEqual(glob.glob(os.path.join(self.files_dir(), "exp", "bad_*")), [])
        self.assert_no_tmp_left()

    # --- delete ----------------------------------------------------------------------------------------
    def delete(self, table, **kw):
        return self.run_cmd(table_pb2.DeleteTableRowsCommand(path=[self.s], tableName=table, **kw),
                            table_pb2.DeleteTableRowsResponse)

    def left(self, table):
        return [int(r[0]) for r in self.cells(self.preview(["id"], table=table, order=[OB(columnName="id")]))]

    def test_17_delete_all(self):
        r = self.delete("d_all")
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount, r.tableSizeBytes), (4, 0, 0))
        self.assertEqual(self.left("d_all"), [])
        self.assertEqual(self.table_info(self.pid, self.key, self.s, "d_all").rowsCount, 0)  # the cache was bumped

    def test_78_delete_where(self):
        before = self.table_info(self.pid, self.key, self.s, "d_where").rowsCount
        self.assertEqual(before, 4)
        r = self.delete("d_where", whereFilters=[wf("int", WF.ge, ["100"], IES.INTEGER)])
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount), (3, 1))
        self.assertGreater(r.tableSizeBytes, 0)
        self.assertEqual(self.left("d_where"), [4])
        self.assertEqual(self.table_info(self.pid, self.key, self.s, "d_where").rowsCount, 1)
        r = self.delete("d_multi", whereFilters=[wf("decimal_varchar", WF.eq, ["100.2"], IES.REAL)])
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount), (1, 3))
        self.assertEqual(self.left("d_multi"), [1, 3, 4])

    def test_77_delete_change(self):
        r = self.delete("d_change", changeSince=str(T0 + 2), changeUntil=str(T0 + 4))
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount), (2, 2))
        self.assertEqual(self.left("d_change"), [1, 4])

    def test_84_delete_ref(self):
        RF = table_pb2.DeleteTableRowsCommand.WhereRefTableFilter
        r = self.delete("d_ref", whereRefTableFilters=[RF(column="id", operator=RF.IN, refPath=[self.s],
                                                          refTable="refs", refColumn="id")])
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount), (2, 2))
        self.assertEqual(self.left("d_ref"), [2, 4])
        # two ref filters: both must hold
        r = self.delete("d_ref2", whereRefTableFilters=[
            RF(column="id", operator=RF.IN, refPath=[self.s], refTable="refs", refColumn="id"),
            RF(column="id", operator=RF.NOT_IN, refPath=[self.s], refTable="refs2", refColumn="RID")])
        self.assertEqual((r.deletedRowsCount, r.tableRowsCount), (1, 3))
        self.assertEqual(self.left("d_ref2"), [2, 3, 4])

    def test_delete_failures_change_nothing(self):
        RF = table_pb2.DeleteTableRowsCommand.WhereRefTableFilter

        def fails(status, code, message=None, **kw):
            self.assertRpcError(lambda: self.delete("d_fail", **kw), status, code, message)
            self.assertEqual(self.left("d_fail"), [1, 2, 3, 4])
        fails(IA, 3000, 'Invalid filter value, expected:"BIGINT", actual:"abc".',
              whereFilters=[wf("id", WF.eq, ["1"]), wf("int", WF.eq, ["abc"])])
        fails(IA, 3000, "DeleteTableRowsCommand.changeSince must be numeric timestamp", changeSince="today")
        fails(IA, 3000, 'whereFilter with multiple values can be used only with "eq", "ne" operators',
              whereFilters=[wf("int", WF.lt, ["1", "2"])])
        fails(NF, 2000, 'Object "nope" not found.', whereFilters=[wf("id", WF.eq, ["1"])],
              whereRefTableFilters=[RF(column="id", refPath=[self.s], refTable="nope", refColumn="id")])
        fails(NF, 2005, None, whereRefTableFilters=[RF(column="id", refPath=[self.s], refTable="refs",
                                                       refColumn="nope")])
        fails(NF, 2000, None, whereRefTableFilters=[RF(column="id", refPath=["_duckstore"], refTable="objects",
                                                       refColumn="kind")])
        fails(IA, 3000, None, whereRefTableFilters=[RF(column="id", refPath=[self.s, "x"], refTable="refs",
                                                       refColumn="id")])
        self.assertRpcError(lambda: self.delete("nope"), NF, 2000, 'Object "nope" not found.')

    # --- profile ---------------------------------------------------------------------------------------
    def test_profile(self):
        r = self.run_cmd(table_pb2.CreateProfileTableCommand(path=[self.s], tableName="typed"),
                         table_pb2.CreateProfileTableResponse)
        self.assertEqual((list(r.path), r.tableName), ([self.s], "typed"))
        t = json.loads(r.profile)
        self.assertEqual(list(t), ["rowCount", "columnCount", "dataSize"])
        self.assertEqual((t["rowCount"], t["columnCount"]), (4, 6))
        self.assertGreater(t["dataSize"], 0)
        cols = {c.name: json.loads(c.profile) for c in r.columns}
        self.assertEqual([c.name for c in r.columns], [c[0] for c in TYPED])
        self.assertEqual(cols["id"], {"distinctCount": 4, "duplicateCount": 0, "nullCount": 0,
                                      "numericStatistics": {"avg": 2.5, "median": 2.5, "min": 1, "max": 4}})
        self.assertEqual(cols["int"], {"distinctCount": 2, "duplicateCount": 1, "nullCount": 1,
                                       "numericStatistics": {"avg": 133.333333, "median": 100.0, "min": 100,
                                                             "max": 200}})
        self.assertEqual(cols["name"], {"distinctCount": 3, "duplicateCount": 0, "nullCount": 1,
                                        "length": {"avg": 5.0, "min": 5, "max": 5}})
        self.assertEqual(cols["big"]["length"], {"avg": 20000.0, "min": 20000, "max": 20000})
        self.assertEqual(cols["_timestamp"], {"distinctCount": 4, "duplicateCount": 0, "nullCount": 0})
        self.assertRpcError(lambda: self.srv.execute(table_pb2.CreateProfileTableCommand(path=[self.s], tableName="x"),
                                                     key=self.key, host=self.pid), NF, 2000)
        self.assertRpcError(lambda: self.srv.execute(table_pb2.CreateProfileTableCommand(path=[], tableName="x"),
                                                     key=self.key, host=self.pid), IA, 3000,
                            "CreateProfileTableCommand.path is required and size must equal 1")


if __name__ == "__main__":
    unittest.main()
