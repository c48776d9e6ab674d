"""Tables and columns (issue 3; protocol §2.4–§2.5, contract §6): CreateTable types, lengths, nullability,
defaults and keys; DropTable; AddColumn; DropColumn; ObjectInfo TABLE; and bad input that must leave nothing
behind. Scenario numbers refer to protocol §6."""
import unittest

import grpc

from harness import ServerTest, column as col, bucket_pb2, info_pb2, table_pb2

IA = grpc.StatusCode.INVALID_ARGUMENT


class TableTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid, cls.key = cls.new_project(cls, "t")
        cls.srv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-t"), key=cls.key, host=cls.pid)
        cls.s = "in_c_t"

    def x(self, cmd):
        return self.srv.execute(cmd, key=self.key, host=self.pid)

    def create(self, name, cols, pk=()):
        return self.x(table_pb2.CreateTableCommand(path=[self.s], tableName=name, columns=cols,
                                                   primaryKeysNames=list(pk)))

    def objects(self):
        return [o.objectName for o in self.info(self.pid, self.key, [self.s], info_pb2.SCHEMA).schemaInfo.objects]

    def test_create_table_reflects_types_lengths_defaults_keys(self):
        r = self.create_table(self.pid, self.key, self.s, "full", [
            ("id", "INTEGER"), ("name", "STRING", "50", True, "'Some Default'"), ("price", "NUMERIC", "10,2", True),
            ("f", "FLOAT", "", True, "185.554"), ("flag", "BOOLEAN", "", False, "true"), ("d", "DATE", "", True),
            ("ts", "TIMESTAMP", "", True), ("i4", "INT", "", True), ("v", "VARCHAR", "", True),
            ("dec", "DECIMAL", "", True)], pk=["id", "name"])
        self.assertEqual(list(r.path), [self.s])
        self.assertEqual(r.objectType, info_pb2.TABLE)
        self.assertEqual(r.WhichOneof("objectInfo"), "tableInfo")
        t = r.tableInfo
        self.assertEqual(list(t.path), [self.s])
        self.assertEqual(t.tableName, "full")
        got = [(c.name, c.type, c.length, c.nullable, c.default) for c in t.columns]
        self.assertEqual(got, [
            ("id", "BIGINT", "", False, ""), ("name", "VARCHAR", "50", True, "'Some Default'"),
            ("price", "DECIMAL", "10,2", True, ""), ("f", "DOUBLE", "", True, "185.554"),
            ("flag", "BOOLEAN", "", False, "true"), ("d", "DATE", "", True, ""), ("ts", "TIMESTAMP", "", True, ""),
            ("i4", "INTEGER", "", True, ""), ("v", "VARCHAR", "", True, ""), ("dec", "DECIMAL", "18,3", True, "")])
        self.assertEqual(list(t.primaryKeysNames), ["id", "name"])
        self.assertEqual((t.rowsCount, t.sizeBytes, t.tableType), (0, 0, info_pb2.NORMAL))

    def test_rows_and_size_with_data(self):
        self.create_table(self.pid, self.key, self.s, "rows", [("a", "INTEGER"), ("b", "STRING", "", True)])
        self.srv.sql_offline(self.pid, f"INSERT INTO {self.s}.rows VALUES (1, 'x'), (2, NULL)")
        t = self.table_info(self.pid, self.key, self.s, "rows")
        self.assertEqual(t.rowsCount, 2)
        self.assertGreater(t.sizeBytes, 0)

    def test_29_asserts(self):
        """29: empty path / tableName / columns → INVALID_ARGUMENT with the assert texts."""
        c = [col("a", "INTEGER")]
        self.assertRpcError(lambda: self.x(table_pb2.CreateTableCommand(tableName="t", columns=c)), IA, 3000,
                            "CreateTableCommand.path is required and size must equal 1")
        self.assertRpcError(lambda: self.x(table_pb2.CreateTableCommand(path=[self.s], columns=c)), IA, 3000,
                            "CreateTableCommand.tableName is required")
        self.assertRpcError(lambda: self.x(table_pb2.CreateTableCommand(path=[self.s], tableName="t")), IA, 3000,
                            "CreateTableCommand.columns is required")
        self.assertRpcError(lambda: self.create("t", [col("", "INTEGER")]), IA, 3000,
                            "TableColumnShared.name is required")
        self.assertRpcError(lambda: self.create("t", [col("a", "")]), IA, 3000, "TableColumnShared.type is required")

    def test_30_bad_type_or_default_leaves_nothing(self):
        """30: an invalid type, length or default → 3000 "Failed to create table", and no table."""
        cases = [
            [col("a", "NOPE")],
            [col("a", "INTEGER", default="fail")],  # an unquoted word
            [col("a", "INTEGER", default="'abc'")],  # does not cast
            [col("a", "STRING", default="1")],  # not a string, as BigQuery
            [col("a", "INTEGER", default="1); DROP TABLE x; --")],
            [col("a", "INTEGER", default="(SELECT 1)")],
            [col("a", "STRING", length="abc")],
            [col("a", "STRING", length="0")],
            [col("a", "NUMERIC", length="40,2")],
            [col("a", "INTEGER", length="10")],
            [col("a", "INTEGER"), col("A", "STRING")],  # listed twice (names are case-insensitive)
        ]
        for cols in cases:
            e = self.assertRpcError(lambda: self.create("bad", cols), IA, 3000)
            self.assertTrue(e.details.startswith(f'Failed to create table "bad" in schema "{self.s}". Exception: '),
                            e.details)
        self.assertNotIn("bad", self.objects())
        # and a good definition still works afterwards
        self.create("bad", [col("a", "INTEGER", default="1 + 1")])
        self.assertEqual(self.table_info(self.pid, self.key, self.s, "bad").columns[0].default, "1 + 1")  # as given

    def test_primary_key_errors(self):
        e = self.assertRpcError(lambda: self.create("pk", [col("a", "INTEGER")], pk=["b"]), IA, 3000)
        self.assertIn('Primary key column "b"', e.details)
        self.assertRpcError(lambda: self.create("pk", [col("a", "INTEGER")], pk=["a", "A"]), IA, 3000)
        self.assertNotIn("pk", self.objects())

    def test_31_existing_table_is_2006(self):
        self.create("dup", [col("a", "INTEGER")])
        self.assertRpcError(lambda: self.create("dup", [col("b", "INTEGER")]), grpc.StatusCode.ALREADY_EXISTS, 2006,
                            'Object "dup" already exists.')
        self.assertRpcError(lambda: self.create("DUP", [col("b", "INTEGER")]), grpc.StatusCode.ALREADY_EXISTS, 2006)
        self.assertEqual([c.name for c in self.table_info(self.pid, self.key, self.s, "dup").columns], ["a"])

    def test_missing_bucket_is_not_found(self):
        self.assertRpcError(lambda: self.x(table_pb2.CreateTableCommand(
            path=["nobucket"], tableName="t", columns=[col("a", "INTEGER")])), grpc.StatusCode.NOT_FOUND, 2000,
            'Object "nobucket" not found.')

    def test_bad_names(self):
        for bad in ('t"x', "t;x", "../t", "t/x", "x" * 300, "t'x"):
            self.assertRpcError(lambda: self.create(bad, [col("a", "INTEGER")]), IA, 3000)
            self.assertRpcError(lambda: self.create("okname", [col(bad, "INTEGER")]), IA, 3000)
        self.assertNotIn("okname", self.objects())
        # a NUL inside a name never reaches the handler: it is not valid in a proto string over the wire either
        self.srv.execute(info_pb2.ListSchemasCommand(), key=self.key, host=self.pid)

    def test_32_add_column(self):
        """32: AddColumn STRING nullable → new column last; REQUIRED or DEFAULT → INVALID_ARGUMENT."""
        self.create("addc", [col("a", "INTEGER")])
        r = self.x(table_pb2.AddColumnCommand(path=[self.s], tableName="addc",
                                              columnDefinition=col("newCol", "STRING", "20", True)))
        resp = info_pb2.ObjectInfoResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        self.assertEqual([(c.name, c.length) for c in resp.tableInfo.columns], [("a", ""), ("newCol", "20")])
        self.assertRpcError(lambda: self.x(table_pb2.AddColumnCommand(
            path=[self.s], tableName="addc", columnDefinition=col("c2", "STRING"))), IA, 3000,
            "You cannot add a REQUIRED column to an existing table schema.")
        self.assertRpcError(lambda: self.x(table_pb2.AddColumnCommand(
            path=[self.s], tableName="addc", columnDefinition=col("c2", "STRING", nullable=True, default="'x'"))),
            IA, 3000, "You cannot add a DEFAULT to column an existing table schema.")
        self.assertRpcError(lambda: self.x(table_pb2.AddColumnCommand(
            path=[self.s], tableName="addc", columnDefinition=col("NEWCOL", "STRING", nullable=True))),
            grpc.StatusCode.ALREADY_EXISTS, 2006)
        self.assertRpcError(lambda: self.x(table_pb2.AddColumnCommand(
            path=[self.s], tableName="addc", columnDefinition=col("c3", "BOGUS", nullable=True))), IA, 3000)
        self.assertEqual(len(self.table_info(self.pid, self.key, self.s, "addc").columns), 2)

    def test_33_drop_column(self):
        """33: [col1,col2,col3] minus col2 → [col1,col3]; the last column and key columns are refused."""
        self.create("dropc", [col("col1", "INTEGER"), col("col2", "STRING", "10", True), col("col3", "INTEGER")],
                    pk=["col3"])
        self.x(table_pb2.DropColumnCommand(path=[self.s], tableName="dropc", columnName="col2"))
        self.assertEqual([c.name for c in self.table_info(self.pid, self.key, self.s, "dropc").columns],
                         ["col1", "col3"])
        e = self.assertRpcError(lambda: self.x(table_pb2.DropColumnCommand(
            path=[self.s], tableName="dropc", columnName="col3")), IA, 3000)
        self.assertIn("primary key", e.details)
        self.assertRpcError(lambda: self.x(table_pb2.DropColumnCommand(
            path=[self.s], tableName="dropc", columnName="nope")), grpc.StatusCode.NOT_FOUND, 2005)
        self.create("lastc", [col("only", "INTEGER")])
        e = self.assertRpcError(lambda: self.x(table_pb2.DropColumnCommand(
            path=[self.s], tableName="lastc", columnName="only")), IA, 3000)
        self.assertIn("last column", e.details)
        # a column dropped and added again does not inherit the old length
        self.x(table_pb2.AddColumnCommand(path=[self.s], tableName="dropc", columnDefinition=col("col2", "STRING",
                                                                                                nullable=True)))
        self.assertEqual(self.table_info(self.pid, self.key, self.s, "dropc").columns[2].length, "")

    def test_drop_table(self):
        self.create("gone", [col("a", "INTEGER")])
        self.x(table_pb2.DropTableCommand(path=[self.s], tableName="gone"))
        self.assertNotIn("gone", self.objects())
        self.assertRpcError(lambda: self.x(table_pb2.DropTableCommand(path=[self.s], tableName="gone")),
                            grpc.StatusCode.NOT_FOUND, 2000, 'Object "gone" not found.')
        r = self.x(table_pb2.DropTableCommand(path=[self.s], tableName="gone", ignoreErrors=True))
        self.assertEqual(r.messages[0].level, r.messages[0].Warning)
        self.create("gone", [col("b", "INTEGER")])  # the name is free again
        self.assertEqual(self.table_info(self.pid, self.key, self.s, "gone").columns[0].name, "b")


class ObjectInfoErrorsTest(ServerTest):
    def test_25_to_28(self):
        pid, key = self.new_project("oi")
        s = self.new_bucket(pid, key, "in.c-oi")
        self.create_table(pid, key, s, "t", [("a", "INTEGER")])
        nf = grpc.StatusCode.NOT_FOUND
        # 25
        self.assertRpcError(lambda: self.info(pid, key, ["iAmNotExist"], info_pb2.SCHEMA), nf, 2000,
                            'Object "iAmNotExist" not found.')
        self.assertRpcError(lambda: self.info(pid, key, ["databaseNotExists", "iAmNotExist"], info_pb2.TABLE), nf,
                            2000, 'Object "databaseNotExists" not found.')
        # 26
        self.assertRpcError(lambda: self.info(pid, key, [s, "iAmNotExist"], info_pb2.TABLE), nf, 2000,
                            'Object "iAmNotExist" not found.')
        self.assertRpcError(lambda: self.info(pid, key, [s, "iAmNotExist"], info_pb2.VIEW), nf, 2000,
                            'Object "iAmNotExist" not found.')
        self.assertRpcError(lambda: self.info(pid, key, [s, "t"], info_pb2.VIEW), nf, 2000)  # a table is no view
        # 27
        self.assertRpcError(lambda: self.info(pid, key, [], info_pb2.TABLE), IA, 3000, "Error empty path.")
        self.assertRpcError(lambda: self.info(pid, key, [s], info_pb2.TABLE), IA, 3000,
                            "Error path must have exactly two elements.")
        self.assertRpcError(lambda: self.info(pid, key, [s, "t"], info_pb2.SCHEMA), IA, 3000,
                            "Error path must have exactly one element.")
        # 28
        self.assertRpcError(lambda: self.info(pid, key, [s], 7), nf, 2001, 'Unknown object "7".')
        # table names match case-insensitively, as DuckDB's identifiers
        self.assertEqual(self.table_info(pid, key, s.upper(), "T").tableName, "t")


if __name__ == "__main__":
    unittest.main()
