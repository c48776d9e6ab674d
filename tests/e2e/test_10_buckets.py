"""Buckets (issue 3; protocol §2.3, contract §5): CreateBucket naming and branch prefix, DropBucket with and
without cascade, ListSchemas, ObjectInfo DATABASE. Scenario numbers refer to protocol §6."""
import json
import unittest

import grpc

from harness import ServerTest, bucket_pb2, info_pb2, project_pb2

CMD = "type.googleapis.com/keboola.storageDriver.command."


class BucketTest(ServerTest):
    def setUp(self):
        self.pid, self.key = self.new_project("b")

    def x(self, cmd):
        return self.srv.execute(cmd, key=self.key, host=self.pid)

    def test_create_bucket_name_and_empty_path(self):
        r = self.x(bucket_pb2.CreateBucketCommand(bucketId="in.c-API-tests-1"))
        resp = bucket_pb2.CreateBucketResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        self.assertEqual(resp.createBucketObjectName, "in_c_API_tests_1")
        self.assertEqual(list(resp.path), [])
        self.assertIn("in_c_API_tests_1", self.x(info_pb2.ListSchemasCommand()).commandResponse.value.decode())

    def test_96_dev_branch_prefix(self):
        """96: branchId 123 with isBranchDefault false → 123_<name>; the default branch → no prefix."""
        self.assertEqual(self.new_bucket(self.pid, self.key, "in.c-br", branchId="123", isBranchDefault=False),
                         "123_in_c_br")
        self.assertEqual(self.new_bucket(self.pid, self.key, "in.c-br", branchId="123", isBranchDefault=True),
                         "in_c_br")

    def test_create_existing_bucket_is_2006(self):
        self.new_bucket(self.pid, self.key, "in.c-dup")
        self.assertRpcError(lambda: self.new_bucket(self.pid, self.key, "in.c-dup"), grpc.StatusCode.ALREADY_EXISTS,
                            2006, 'Object "in_c_dup" already exists.')

    def test_reserved_and_bad_bucket_names(self):
        for bad in ("main", "_duckstore", "information_schema"):
            self.assertRpcError(lambda: self.new_bucket(self.pid, self.key, bad), grpc.StatusCode.INVALID_ARGUMENT,
                                3000, contains="reserved")
        for bad in ('in.c-"x', "in.c-a;b", "in.c-../x", "x" * 300, "in.c-'a"):
            self.assertRpcError(lambda: self.new_bucket(self.pid, self.key, bad), grpc.StatusCode.INVALID_ARGUMENT,
                                3000)
        self.assertRpcError(lambda: self.new_bucket(self.pid, self.key, ""), grpc.StatusCode.INVALID_ARGUMENT, 3000,
                            "CreateBucketCommand.bucketId is required")
        names = self.list_schemas()
        self.assertEqual(names, [])

    def list_schemas(self):
        r = self.x(info_pb2.ListSchemasCommand())
        resp = info_pb2.ListSchemasResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        return list(resp.schemas)

    def test_list_schemas_sorted_without_internal(self):
        for b in ("out.c-z", "in.c-a", "in.c-m"):
            self.new_bucket(self.pid, self.key, b)
        self.assertEqual(self.list_schemas(), ["in_c_a", "in_c_m", "out_c_z"])

    def test_drop_bucket_cascade_rules(self):
        s = self.new_bucket(self.pid, self.key, "in.c-drop")
        self.create_table(self.pid, self.key, s, "t", [("a", "INTEGER")])
        e = self.assertRpcError(lambda: self.x(bucket_pb2.DropBucketCommand(bucketObjectName=s)),
                                grpc.StatusCode.INVALID_ARGUMENT, 3000, contains="not empty")
        self.assertIn("isCascade", e.details)
        self.assertEqual(len(self.table_info(self.pid, self.key, s, "t").columns), 1)  # everything kept
        self.x(bucket_pb2.DropBucketCommand(bucketObjectName=s, isCascade=True))
        self.assertNotIn(s, self.list_schemas())
        # the name can be used again, and the old table is gone from the registry too
        self.new_bucket(self.pid, self.key, "in.c-drop")
        r = self.info(self.pid, self.key, [s], info_pb2.SCHEMA)
        self.assertEqual(len(r.schemaInfo.objects), 0)

    def test_drop_empty_and_missing_bucket(self):
        s = self.new_bucket(self.pid, self.key, "in.c-empty")
        self.x(bucket_pb2.DropBucketCommand(bucketObjectName=s))
        self.assertRpcError(lambda: self.x(bucket_pb2.DropBucketCommand(bucketObjectName=s)),
                            grpc.StatusCode.NOT_FOUND, 2000, f'Object "{s}" not found.')

    def test_21_database_info_lists_buckets(self):
        """21: ObjectInfo DATABASE echoes the path and sets only databaseInfo."""
        self.new_bucket(self.pid, self.key, "in.c-db1")
        self.new_bucket(self.pid, self.key, "out.c-db2")
        r = self.info(self.pid, self.key, [self.pid], info_pb2.DATABASE)
        self.assertEqual(list(r.path), [self.pid])
        self.assertEqual(r.objectType, info_pb2.DATABASE)
        self.assertEqual(r.WhichOneof("objectInfo"), "databaseInfo")
        self.assertEqual([(o.objectName, o.objectType) for o in r.databaseInfo.objects],
                         [("in_c_db1", info_pb2.SCHEMA), ("out_c_db2", info_pb2.SCHEMA)])

    def test_22_database_info_other_database_is_1003(self):
        """22: we follow Snowflake (contract §5): another database name → 1003."""
        self.assertRpcError(lambda: self.info(self.pid, self.key, ["otherdb"], info_pb2.DATABASE),
                            grpc.StatusCode.FAILED_PRECONDITION, 1003,
                            f'Requested database "otherdb" does not match the connected database "{self.pid}".')

    def test_project_key_cannot_reach_another_project(self):
        other, other_key = self.new_project("bo")
        s = self.new_bucket(other, other_key, "in.c-secret")
        self.create_table(other, other_key, s, "t", [("a", "INTEGER")])
        # own key naming the other project as host → 2007; the other project's objects are not reachable
        self.assertRpcError(lambda: self.srv.execute(info_pb2.ObjectInfoCommand(
            path=[s, "t"], expectedObjectType=info_pb2.TABLE), key=self.key, host=other),
            grpc.StatusCode.PERMISSION_DENIED, 2007)
        self.assertRpcError(lambda: self.srv.execute(bucket_pb2.CreateBucketCommand(
            bucketId="in.c-x", projectId=other), key=self.key, host=self.pid), grpc.StatusCode.PERMISSION_DENIED, 2007)
        self.assertRpcError(lambda: self.table_info(self.pid, self.key, s, "t"), grpc.StatusCode.NOT_FOUND, 2000)
        self.assertRpcError(lambda: self.srv.execute(bucket_pb2.DropBucketCommand(
            bucketObjectName=s, isCascade=True), key=self.key, host=other), grpc.StatusCode.PERMISSION_DENIED, 2007)
        self.assertEqual(len(self.table_info(other, other_key, s, "t").columns), 1)

    def test_buckets_over_rest_json(self):
        body = {"command": {"@type": CMD + "bucket.CreateBucketCommand", "bucketId": "in.c-rest"},
                "credentials": {"@type": "type.googleapis.com/keboola.storageDriver.credentials."
                                         "GenericBackendCredentials", "host": self.pid}}
        r = self.srv.post("/driver/execute", data=json.dumps(body),
                          headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.key})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["commandResponse"]["createBucketObjectName"], "in_c_rest")
        r = self.srv.post("/driver/execute", data=json.dumps(body),
                          headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.key})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["code"], 2006)

    def test_buckets_survive_restart_and_drop_project(self):
        s = self.new_bucket(self.pid, self.key, "in.c-keep")
        self.create_table(self.pid, self.key, s, "t", [("a", "INTEGER")], pk=["a"])
        self.srv.stop()
        self.srv.start()
        self.assertEqual(list(self.table_info(self.pid, self.key, s, "t").primaryKeysNames), ["a"])
        self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName=self.pid))
        self.srv.create_project(self.pid)
        self.assertRpcError(lambda: self.srv.execute(info_pb2.ObjectInfoCommand(
            path=[s], expectedObjectType=info_pb2.SCHEMA), host=self.pid, admin=True), grpc.StatusCode.NOT_FOUND, 2000)


if __name__ == "__main__":
    unittest.main()
