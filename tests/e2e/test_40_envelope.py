"""The envelope (driver-contract.md §2, §4; protocol scenarios 1–6, 43): dispatch, unsupported and unknown
commands, bad bytes, LogMessage contexts, features/runId/queryTags, message sizes."""
import json
import unittest

import grpc
from google.protobuf import wrappers_pb2

from harness import ServerTest, common_pb2, credentials_pb2, pack, project_pb2, backend_pb2, bucket_pb2, \
    table_pb2, info_pb2, workspace_pb2, executeQuery_pb2

# Commands that issue 2 implements; every other command message of the protos must answer 900.
IMPLEMENTED = {"InitBackendCommand", "RemoveBackendCommand", "CreateProjectCommand", "UpdateProjectCommand",
               "DropProjectCommand", "CreateDevBranchCommand", "DropDevBranchCommand",
               # issue 3
               "CreateBucketCommand", "DropBucketCommand", "ObjectInfoCommand", "ListSchemasCommand",
               "CreateTableCommand", "DropTableCommand", "AddColumnCommand", "AlterColumnCommand", "DropColumnCommand",
               "AddPrimaryKeyCommand", "DropPrimaryKeyCommand", "CreateViewCommand",
               # issue 4
               "TableImportFromFileCommand", "TableImportFromTableCommand", "PreviewTableCommand",
               "TableExportToFileCommand", "DeleteTableRowsCommand", "CreateProfileTableCommand"}


MODULES = (backend_pb2, project_pb2, bucket_pb2, table_pb2, info_pb2, workspace_pb2, executeQuery_pb2)


def all_commands():
    """(name, message class) of every command message of Keboola's protos."""
    for mod in MODULES:
        for name in mod.DESCRIPTOR.message_types_by_name:
            if name.endswith("Command"):
                yield name, getattr(mod, name)


class EnvelopeTest(ServerTest):
    def test_protos_define_46_commands(self):
        self.assertEqual(len(list(all_commands())), 46)

    def test_unknown_type_url_is_unimplemented_900(self):
        req = common_pb2.DriverRequest()
        req.command.type_url = "type.googleapis.com/keboola.storageDriver.command.table.NoSuchCommand"
        req.credentials.CopyFrom(pack(credentials_pb2.GenericBackendCredentials(principal=self.srv.admin_key)))
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.UNIMPLEMENTED, 900,
                            'Command "keboola.storageDriver.command.table.NoSuchCommand" not supported.',
                            retryable=False)

    def test_short_name_in_other_package_is_not_mistaken(self):
        # dispatch is on the full name: a known short name in another package is unknown
        req = common_pb2.DriverRequest()
        req.command.type_url = "type.googleapis.com/evil.CreateProjectCommand"
        req.credentials.CopyFrom(pack(credentials_pb2.GenericBackendCredentials(principal=self.srv.admin_key)))
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.UNIMPLEMENTED, 900,
                            'Command "evil.CreateProjectCommand" not supported.')

    def test_every_unimplemented_command_answers_900_with_its_full_name(self):
        pid, key = self.new_project()
        checked = 0
        for name, cls in all_commands():
            if name in IMPLEMENTED:
                continue
            msg = cls()
            for k, host in ((None, None), (key, pid)):
                e = self.assertRpcError(lambda: self.srv.execute(msg, key=k, host=host),
                                        grpc.StatusCode.UNIMPLEMENTED, 900, retryable=False)
                self.assertEqual(e.details, f'Command "{cls.DESCRIPTOR.full_name}" not supported.')
            checked += 1
        self.assertEqual(checked, 46 - len(IMPLEMENTED))

    def test_missing_command(self):
        req = self.srv.request(None, admin=True)
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.INVALID_ARGUMENT, 3000,
                            "DriverRequest.command is required.", retryable=False)
        req.command.type_url = ""
        req.command.value = b"\x0a\x01x"
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.INVALID_ARGUMENT, 3000)

    def test_command_bytes_that_do_not_parse(self):
        req = self.srv.request(None, admin=True)
        req.command.type_url = "type.googleapis.com/keboola.storageDriver.command.project.CreateProjectCommand"
        req.command.value = b"\x12\xff\xff\xff\xff\x0f"  # field 2 with a length far past the end
        e = self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.INVALID_ARGUMENT, 3000)
        self.assertIn("CreateProjectCommand", e.details)
        # a wrong wire type for a string field
        req.command.value = b"\x10\x05"
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.INVALID_ARGUMENT, 3000)
        # strings that are not UTF-8, or hold a NUL that C would cut at: refused, not truncated
        for bad in (b"\xff\xfe", b"ab\x00cd"):
            req.command.value = b"\x12" + bytes([len(bad)]) + bad
            e = self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.INVALID_ARGUMENT, 3000)
            self.assertIn('Field "projectId"', e.details)
        self.srv.create_project("ab")  # "ab\0cd" did not create "ab"

    def test_request_bytes_that_do_not_parse(self):
        for garbage in (b"\xff\xff\xff", b"\x0a\x80", b"\x12\x05abc"):
            self.assertRpcError(lambda: self.srv.execute_raw(garbage), grpc.StatusCode.INVALID_ARGUMENT, 3000)
        # an empty request is a valid empty DriverRequest: no command
        self.assertRpcError(lambda: self.srv.execute_raw(b""), grpc.StatusCode.INVALID_ARGUMENT, 3000,
                            "DriverRequest.command is required.")

    def test_no_response_commands_leave_command_response_unset(self):
        r = self.srv.execute(backend_pb2.RemoveBackendCommand())
        self.assertFalse(r.HasField("commandResponse"))
        self.assertEqual(len(r.messages), 0)

    def test_response_type_url(self):
        r = self.srv.execute(backend_pb2.InitBackendCommand())
        self.assertEqual(r.commandResponse.type_url,
                         "type.googleapis.com/keboola.storageDriver.command.backend.InitBackendResponse")

    def test_unknown_features_run_id_and_query_tags_are_accepted_and_run_id_is_logged(self):
        r = self.srv.execute(backend_pb2.InitBackendCommand(), features=["no-such-feature", "storage-branches"],
                             run_id="run-4242-xyz", query_tags={"branch_id": "123"})
        self.assertTrue(r.HasField("commandResponse"))
        self.srv.wait_log(r"command=InitBackendCommand .*runId=run-4242-xyz status=OK")
        # runtimeOptions.meta is accepted too
        req = self.srv.request(backend_pb2.InitBackendCommand(), admin=True, run_id="run-meta")
        req.runtimeOptions.meta.CopyFrom(pack(wrappers_pb2.StringValue(value="x")))
        self.srv.execute_request(req)

    def test_log_message_context_is_a_string_value_with_json(self):
        pid, key = self.new_project()
        r = self.srv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName="nope"), key=key, host=pid)
        self.assertEqual(len(r.messages), 1)
        m = r.messages[0]
        self.assertEqual(m.level, common_pb2.LogMessage.Level.Warning)
        self.assertEqual(m.context.type_url, "type.googleapis.com/google.protobuf.StringValue")
        sv = wrappers_pb2.StringValue()
        self.assertTrue(m.context.Unpack(sv))
        self.assertIsInstance(json.loads(sv.value), (dict, list))

    def test_big_request_up_to_64_mib_is_accepted(self):
        req = self.srv.request(backend_pb2.RemoveBackendCommand(), admin=True)
        req.features.extend(["f" * (1 << 20)] * 60)  # 60 MiB of features
        self.assertGreater(req.ByteSize(), 60 << 20)
        self.srv.execute_request(req)

    def test_request_over_the_limit_is_refused(self):
        req = self.srv.request(backend_pb2.RemoveBackendCommand(), admin=True)
        req.features.extend(["f" * (1 << 20)] * 70)
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.srv.execute(backend_pb2.RemoveBackendCommand())  # the server keeps answering


if __name__ == "__main__":
    unittest.main()
