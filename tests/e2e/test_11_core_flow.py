"""The P0 metadata flow of protocol §6, scenarios 8 and 10–13, 18–19, step by step on one project."""
import unittest

import grpc

from harness import ServerTest, bucket_pb2, info_pb2, table_pb2


class CoreFlowTest(ServerTest):
    def test_scenarios_8_10_11_12_13_18_19(self):
        pid, key = self.new_project("flow")
        # 8: the CreateProject credentials can run ObjectInfo DATABASE
        self.assertEqual(self.info(pid, key, [pid], info_pb2.DATABASE).WhichOneof("objectInfo"), "databaseInfo")
        # 10
        b = self.new_bucket(pid, key, "in.c-Test")
        self.assertEqual(b, "in_c_Test")
        r = self.info(pid, key, [b], info_pb2.SCHEMA)
        self.assertEqual(r.WhichOneof("objectInfo"), "schemaInfo")
        self.assertEqual(list(r.schemaInfo.objects), [])
        # 11
        created = self.create_table(pid, key, b, "t", [("id", "INT64"), ("name", "STRING", "50", True, "'Some Default'"),
                                                       ("large", "STRING", "10000", True)], pk=["id"])
        t = created.tableInfo
        self.assertEqual([c.name for c in t.columns], ["id", "name", "large"])
        self.assertEqual((t.columns[0].type, t.columns[0].nullable, t.columns[0].default), ("BIGINT", False, ""))
        self.assertEqual((t.columns[1].length, t.columns[1].nullable, t.columns[1].default),
                         ("50", True, "'Some Default'"))
        self.assertEqual(t.columns[2].length, "10000")
        self.assertEqual((list(t.primaryKeysNames), t.rowsCount, t.sizeBytes, t.tableType, list(t.path)),
                         (["id"], 0, 0, info_pb2.NORMAL, [b]))
        # 12: the same TableInfo; the response echoes [b, t]; only tableInfo is set
        r = self.info(pid, key, [b, "t"], info_pb2.TABLE)
        self.assertEqual(list(r.path), [b, "t"])
        self.assertEqual(r.WhichOneof("objectInfo"), "tableInfo")
        self.assertEqual(r.tableInfo, t)
        # 13: two rows → rowsCount 2, sizeBytes > 0 (the answer cache must not hide the change)
        self.srv.sql_offline(pid, f"INSERT INTO {b}.t VALUES (1, 'a', 'x'), (2, DEFAULT, NULL)")
        t2 = self.table_info(pid, key, b, "t")
        self.assertEqual(t2.rowsCount, 2)
        self.assertGreater(t2.sizeBytes, 0)
        # 18
        self.srv.execute(table_pb2.DropTableCommand(path=[b], tableName="t"), key=key, host=pid)
        self.assertRpcError(lambda: self.info(pid, key, [b, "t"], info_pb2.TABLE), grpc.StatusCode.NOT_FOUND, 2000,
                            'Object "t" not found.')
        self.assertEqual(list(self.info(pid, key, [b], info_pb2.SCHEMA).schemaInfo.objects), [])
        # 19
        self.srv.execute(bucket_pb2.DropBucketCommand(bucketObjectName=b), key=key, host=pid)
        self.assertRpcError(lambda: self.info(pid, key, [b], info_pb2.SCHEMA), grpc.StatusCode.NOT_FOUND, 2000,
                            f'Object "{b}" not found.')

    def test_cached_answers_follow_every_write(self):
        """ObjectInfo answers are cached per project version: each DDL must show at once."""
        pid, key = self.new_project("cache")
        b = self.new_bucket(pid, key, "in.c-c")
        self.create_table(pid, key, b, "t", [("a", "INTEGER")])
        names = lambda: [c.name for c in self.table_info(pid, key, b, "t").columns]  # noqa: E731
        objs = lambda: [o.objectName for o in self.info(pid, key, [b], info_pb2.SCHEMA).schemaInfo.objects]  # noqa
        self.assertEqual((names(), names()), (["a"], ["a"]))
        self.assertEqual(objs(), ["t"])
        self.srv.execute(table_pb2.AddColumnCommand(path=[b], tableName="t", columnDefinition=table_pb2.TableColumnShared(
            name="b", type="STRING", nullable=True)), key=key, host=pid)
        self.assertEqual(names(), ["a", "b"])
        self.create_table(pid, key, b, "u", [("a", "INTEGER")])
        self.assertEqual(objs(), ["t", "u"])
        self.srv.execute(table_pb2.DropTableCommand(path=[b], tableName="u"), key=key, host=pid)
        self.assertEqual(objs(), ["t"])


if __name__ == "__main__":
    unittest.main()
