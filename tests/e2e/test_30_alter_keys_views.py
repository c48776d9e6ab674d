"""AlterColumn, primary keys, views and ObjectInfo SCHEMA/VIEW (issue 3; protocol §2.4–§2.5, §3.5).
Scenario numbers refer to protocol §6."""
import unittest

import grpc

from harness import ServerTest, column as col, common_pb2, info_pb2, table_pb2

IA = grpc.StatusCode.INVALID_ARGUMENT
WF = table_pb2.ImportExportShared.TableWhereFilter
N, L, D = "KBC.datatype.nullable", "KBC.datatype.length", "KBC.datatype.default"


class AlterColumnTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "al")
        cls.s = cls.new_bucket(cls, cls.pid, cls.key, "in.c-al")

    def table(self, name):
        self.create_table(self.pid, self.key, self.s, name, [
            ("col1Nullable", "STRING", "200", True), ("col2Required", "INTEGER"), ("col3", "STRING", "200", True),
            ("col4Bool", "BOOLEAN", "", True), ("col5Dec", "NUMERIC", "10,2", True)])

    def alter(self, table, keys, **desired):
        r = self.srv.execute(table_pb2.AlterColumnCommand(path=[self.s], tableName=table,
                                                          desiredDefiniton=col(**desired),
                                                          attributesToUpdate=keys), key=self.key, host=self.pid)
        resp = info_pb2.ObjectInfoResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        cols = {c.name: c for c in resp.tableInfo.columns}
        return cols, [(m.level, m.message) for m in r.messages]

    def test_34_35_nullable(self):
        self.table("n")
        cols, msgs = self.alter("n", [N], name="col2Required", type_="INTEGER", nullable=True)
        self.assertTrue(cols["col2Required"].nullable)
        self.assertEqual(msgs, [(common_pb2.LogMessage.Informational, N)])
        cols, msgs = self.alter("n", [N], name="col1Nullable", type_="STRING", nullable=True)
        self.assertTrue(cols["col1Nullable"].nullable)
        self.assertEqual(msgs[0][0], common_pb2.LogMessage.Error)
        self.assertTrue(msgs[0][1].startswith('"KBC.datatype.nullable": Cannot DROP NOT NULL constraint from column '
                                              'col1Nullable which does not have a NOT NULL constraint.'), msgs)
        # desired nullable=false is skipped silently
        cols, msgs = self.alter("n", [N], name="col3", type_="STRING", nullable=False)
        self.assertTrue(cols["col3"].nullable)
        self.assertEqual(msgs, [])

    def test_36_length(self):
        self.table("l")
        cols, msgs = self.alter("l", [L], name="col3", type_="STRING", length="300", nullable=True)
        self.assertEqual(cols["col3"].length, "300")
        self.assertEqual(msgs, [(common_pb2.LogMessage.Informational, L)])
        cols, msgs = self.alter("l", [L], name="col3", type_="STRING", length="100", nullable=True)
        self.assertEqual(cols["col3"].length, "300")
        self.assertEqual(msgs[0][0], common_pb2.LogMessage.Error)
        self.assertIn("Narrowing type parameters is not compatible", msgs[0][1])
        self.assertTrue(msgs[0][1].startswith('"KBC.datatype.length": '))
        # DECIMAL widens for real
        cols, msgs = self.alter("l", [L], name="col5Dec", type_="NUMERIC", length="12,3", nullable=True)
        self.assertEqual((cols["col5Dec"].type, cols["col5Dec"].length), ("DECIMAL", "12,3"))
        cols, msgs = self.alter("l", [L], name="col5Dec", type_="NUMERIC", length="12,1", nullable=True)
        self.assertEqual(cols["col5Dec"].length, "12,3")
        self.assertIn("Narrowing", msgs[0][1])

    def test_37_default(self):
        self.table("d")
        cols, msgs = self.alter("d", [D], name="col2Required", type_="INTEGER", default="1234")
        self.assertEqual(cols["col2Required"].default, "1234")
        self.assertEqual(msgs, [(common_pb2.LogMessage.Informational, D)])
        cols, _ = self.alter("d", [D], name="col3", type_="STRING", default="helloworld", nullable=True)
        self.assertEqual(cols["col3"].default, "'helloworld'")
        cols, _ = self.alter("d", [D], name="col3", type_="STRING", default="it's", nullable=True)
        self.assertEqual(cols["col3"].default, "'it''s'")
        cols, _ = self.alter("d", [D], name="col4Bool", type_="BOOLEAN", default="1", nullable=True)
        self.assertEqual(cols["col4Bool"].default, "true")
        cols, _ = self.alter("d", [D], name="col3", type_="STRING", default="", nullable=True)
        self.assertEqual(cols["col3"].default, "")
        # several keys in one call, each reported
        cols, msgs = self.alter("d", [L, D], name="col1Nullable", type_="STRING", length="250", default="x",
                                nullable=True)
        self.assertEqual((cols["col1Nullable"].length, cols["col1Nullable"].default), ("250", "'x'"))
        self.assertEqual([m[1] for m in msgs], [L, D])

    def test_38_39_prechecks_change_nothing(self):
        self.table("p")
        self.assertRpcError(lambda: self.alter("p", [D], name="col2Required", type_="INTEGER", default="helloworld"),
                            IA, 3000, 'Invalid default value for column "col2Required". Expected numeric value, got '
                                      '"helloworld".')
        e = self.assertRpcError(lambda: self.alter("p", [N, D], name="col4Bool", type_="BOOLEAN",
                                                   default="helloworld", nullable=True), IA, 3000)
        self.assertIn("Allowed values are true, false, 0, 1", e.details)
        self.assertRpcError(lambda: self.alter("p", [N, "not-existing"], name="col2Required", type_="INTEGER",
                                               nullable=True), IA, 3000,
                            'Unknown metadata key to "not-existing" to update.')
        t = {c.name: c for c in self.table_info(self.pid, self.key, self.s, "p").columns}
        self.assertFalse(t["col2Required"].nullable)  # the valid key before the bad one did not run
        self.assertEqual(t["col4Bool"].default, "")
        self.assertRpcError(lambda: self.alter("p", [N], name="nope", type_="INTEGER", nullable=True),
                            grpc.StatusCode.NOT_FOUND, 2005)


class PrimaryKeyTest(ServerTest):
    def test_40_41_42(self):
        pid, key = self.new_project("pk")
        s = self.new_bucket(pid, key, "in.c-pk")
        self.create_table(pid, key, s, "t", [("col1", "INTEGER"), ("col2", "STRING", "", False),
                                              ("col3", "INTEGER"), ("colN", "STRING", "", True)])
        self.create_table(pid, key, s, "dups", [("col1", "INTEGER"), ("col2", "INTEGER")])
        self.srv.sql_offline(pid, f"INSERT INTO {s}.t VALUES (1, 'a', 1, 'x'), (2, 'a', 2, 'y')",
                             f"INSERT INTO {s}.dups VALUES (1, 1), (1, 1)")

        def add(table, cols, skip=False):
            self.srv.execute(table_pb2.AddPrimaryKeyCommand(path=[s], tableName=table, primaryKeysNames=cols,
                                                            skipDuplicatesCheck=skip), key=key, host=pid)

        def pk(table):
            return list(self.table_info(pid, key, s, table).primaryKeysNames)

        add("t", ["col2", "col3"])  # 40
        self.assertEqual(pk("t"), ["col2", "col3"])
        self.assertRpcError(lambda: add("t", ["col1"]), IA, 3000, "Primary key already exists")  # 42
        self.srv.execute(table_pb2.DropPrimaryKeyCommand(path=[s], tableName="t"), key=key, host=pid)
        self.assertEqual(pk("t"), [])
        self.assertRpcError(lambda: add("t", ["colN"]), IA, 3000, 'Selected column "colN" is nullable')  # 42
        self.assertRpcError(lambda: add("t", ["col2"]), IA, 3000, "Selected columns contain duplicities")
        self.assertRpcError(lambda: add("t", ["nope"]), grpc.StatusCode.NOT_FOUND, 2005)
        self.assertRpcError(lambda: add("t", []), IA, 3000)
        self.assertEqual(pk("t"), [])
        self.assertRpcError(lambda: add("dups", ["col1", "col2"]), IA, 3000,
                            "Selected columns contain duplicities")  # 41
        add("dups", ["col2", "col1"], skip=True)
        self.assertEqual(pk("dups"), ["col2", "col1"])
        # duplicates are checked before "already exists", as BigQuery does
        self.assertRpcError(lambda: add("dups", ["col1"]), IA, 3000, "Selected columns contain duplicities")


class ViewTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "v")
        cls.s = cls.new_bucket(cls, cls.pid, cls.key, "in.c-v")
        cls.create_table(cls, cls.pid, cls.key, cls.s, "src", [("id", "INTEGER"), ("name", "STRING", "", True),
                                                               ("num", "INTEGER", "", True)])
        cls.srv.sql_offline(cls.pid, f"INSERT INTO {cls.s}.src VALUES (1, 'a', 100), (2, 'b', 200), (3, 'c', NULL)")

    def view(self, name, columns=(), filters=(), source="src", source_path=()):
        self.srv.execute(table_pb2.CreateViewCommand(path=[self.s], viewName=name, sourceTableName=source,
                                                     sourcePath=list(source_path), columns=list(columns),
                                                     whereFilters=list(filters)), key=self.key, host=self.pid)

    def rows(self, view):
        self.srv.stop()
        self.srv.start()
        return self.srv.sql_offline(self.pid, f'SELECT * FROM {self.s}."{view}" ORDER BY 1')

    def test_97_views(self):
        """97: all columns, a subset, eq one value, eq several, ne; a second CreateView replaces the first."""
        self.view("all")
        self.view("subset", columns=["NAME", "id"])
        self.view("eq1", filters=[WF(columnsName="name", operator=WF.eq, values=["b"])])
        self.view("eqN", filters=[WF(columnsName="num", operator=WF.eq, values=["100", "200"])])
        self.view("ne", filters=[WF(columnsName="id", operator=WF.ne, values=["1"]),
                                 WF(columnsName="num", operator=WF.ge, values=["150"])])
        out = self.srv.sql_offline(self.pid, *[f'SELECT count(*) FROM {self.s}."{v}"'
                                               for v in ("all", "eq1", "eqN", "ne")])
        self.assertEqual(out, ["3", "1", "2", "1"])
        r = self.info(self.pid, self.key, [self.s, "subset"], info_pb2.VIEW)  # 24
        self.assertEqual(r.WhichOneof("objectInfo"), "viewInfo")
        self.assertEqual((list(r.viewInfo.path), r.viewInfo.viewName), ([self.s], "subset"))
        self.assertEqual([c.name for c in r.viewInfo.columns], ["name", "id"])
        self.view("subset", columns=["num"])  # replaced
        r = self.info(self.pid, self.key, [self.s, "subset"], info_pb2.VIEW)
        self.assertEqual([c.name for c in r.viewInfo.columns], ["num"])
        # 23: the schema lists tables and views with their kinds
        objs = {o.objectName: o.objectType for o in self.info(self.pid, self.key, [self.s],
                                                               info_pb2.SCHEMA).schemaInfo.objects}
        self.assertEqual(objs["src"], info_pb2.TABLE)
        self.assertEqual(objs["subset"], info_pb2.VIEW)

    def test_view_errors(self):
        nf = grpc.StatusCode.NOT_FOUND
        self.assertRpcError(lambda: self.view("e1", source="nope"), nf, 2000, 'Object "nope" not found.')
        self.assertRpcError(lambda: self.view("e1", columns=["nope"]), nf, 2005)
        self.assertRpcError(lambda: self.view("e1", filters=[WF(columnsName="id", values=[])]), IA, 3000,
                            'WHERE filter for column "id" must have at least one value.')
        self.assertRpcError(lambda: self.view("e1", filters=[WF(columnsName="", values=["1"])]), IA, 3000,
                            "Column name must not be empty.")
        self.assertRpcError(lambda: self.view("e1", filters=[WF(columnsName="id", operator=WF.gt, values=["1", "2"])]),
                            IA, 3000, 'whereFilter with multiple values can be used only with "eq", "ne" operators')
        self.assertRpcError(lambda: self.view("e1", filters=[WF(columnsName="nope", values=["1"])]), IA, 3000,
                            'Column "nope" not found on table "src" for where filter.')
        self.assertRpcError(lambda: self.view("src"), grpc.StatusCode.ALREADY_EXISTS, 2006)
        # a filter value is always a literal: an injection attempt is just a string that matches nothing
        self.view("inj", filters=[WF(columnsName="name", values=["x' OR '1'='1"])])
        self.assertEqual(self.srv.sql_offline(self.pid, f'SELECT count(*) FROM {self.s}.inj'), ["0"])
        objs = [o.objectName for o in self.info(self.pid, self.key, [self.s], info_pb2.SCHEMA).schemaInfo.objects]
        self.assertNotIn("e1", objs)

    def test_view_over_dropped_table_is_left_out_with_a_warning(self):
        self.create_table(self.pid, self.key, self.s, "tmp", [("a", "INTEGER")])
        self.view("overtmp", source="tmp")
        self.srv.execute(table_pb2.DropTableCommand(path=[self.s], tableName="tmp"), key=self.key, host=self.pid)
        r = self.srv.execute(info_pb2.ObjectInfoCommand(path=[self.s], expectedObjectType=info_pb2.SCHEMA),
                             key=self.key, host=self.pid)
        resp = info_pb2.ObjectInfoResponse()
        r.commandResponse.Unpack(resp)
        self.assertNotIn("overtmp", [o.objectName for o in resp.schemaInfo.objects])
        self.assertEqual(r.messages[0].level, common_pb2.LogMessage.Warning)
        self.assertIn('Selecting data from view "%s.overtmp" failed' % self.s, r.messages[0].message)
        # and DropTable drops views
        self.srv.execute(table_pb2.DropTableCommand(path=[self.s], tableName="overtmp"), key=self.key, host=self.pid)

    def test_view_across_schemas(self):
        other = self.new_bucket(self.pid, self.key, "out.c-v2")
        self.srv.execute(table_pb2.CreateViewCommand(path=[other], viewName="x", sourcePath=[self.s],
                                                     sourceTableName="src", columns=["id"]),
                         key=self.key, host=self.pid)
        self.assertEqual(self.srv.sql_offline(self.pid, f"SELECT count(*) FROM {other}.x"), ["3"])


if __name__ == "__main__":
    unittest.main()
