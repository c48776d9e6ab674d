"""Credentials and authorisation (driver-contract.md §3): the full matrix of identities and command groups."""
import unittest

import grpc

from harness import ServerTest, backend_pb2, common_pb2, credentials_pb2, pack, project_pb2, wrappers_pb2

ROOT_COMMANDS = [backend_pb2.InitBackendCommand(), backend_pb2.RemoveBackendCommand(),
                 project_pb2.CreateProjectCommand(projectId="authroot"),
                 project_pb2.UpdateProjectCommand(projectId="authroot", timezone="UTC"),
                 project_pb2.DropProjectCommand(projectDatabaseName="authroot")]


class AuthTest(ServerTest):
    def test_no_credentials(self):
        req = common_pb2.DriverRequest()
        req.command.CopyFrom(pack(backend_pb2.RemoveBackendCommand()))
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.UNAUTHENTICATED, 1002,
                            "Authentication failed.", retryable=False)

    def test_empty_and_unknown_keys(self):
        for key in ("", "nope", self.srv.admin_key + "x", self.srv.admin_key[:-1], "dsk_" + "a" * 48):
            self.assertRpcError(lambda: self.srv.execute(backend_pb2.RemoveBackendCommand(), key=key),
                                grpc.StatusCode.UNAUTHENTICATED, 1002, "Authentication failed.")

    def test_credentials_of_another_type(self):
        req = common_pb2.DriverRequest()
        req.command.CopyFrom(pack(backend_pb2.RemoveBackendCommand()))
        req.credentials.CopyFrom(pack(wrappers_pb2.StringValue(value=self.srv.admin_key)))
        self.assertRpcError(lambda: self.srv.execute_request(req), grpc.StatusCode.UNAUTHENTICATED, 1002)

    def test_admin_may_run_root_commands_and_secret_port_are_ignored(self):
        req = common_pb2.DriverRequest()
        req.command.CopyFrom(pack(backend_pb2.InitBackendCommand()))
        req.credentials.CopyFrom(pack(credentials_pb2.GenericBackendCredentials(
            host="ignored-for-root", principal=self.srv.admin_key, secret="whatever", port=99)))
        self.srv.execute_request(req)

    def test_project_key_may_not_run_root_commands(self):
        pid, key = self.new_project("auth")
        for cmd in ROOT_COMMANDS:
            e = self.assertRpcError(lambda: self.srv.execute(cmd, key=key, host=pid),
                                    grpc.StatusCode.PERMISSION_DENIED, 2007, retryable=False)
            self.assertIn("admin key", e.details)
        # nothing happened: the project the DropProject named is still there
        self.srv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="1"), key=key, host=pid)

    def test_project_key_of_another_project(self):
        p1, k1 = self.new_project("auth")
        p2, _ = self.new_project("auth")
        cmd = project_pb2.CreateDevBranchCommand(branchId="7")
        self.assertRpcError(lambda: self.srv.execute(cmd, key=k1, host=p2), grpc.StatusCode.PERMISSION_DENIED, 2007)
        # naming the other project inside the command is refused too
        cmd2 = project_pb2.CreateDevBranchCommand(projectId=p2, branchId="7")
        self.assertRpcError(lambda: self.srv.execute(cmd2, key=k1, host=p1), grpc.StatusCode.PERMISSION_DENIED, 2007)
        self.assertRpcError(lambda: self.srv.execute(cmd2, key=k1), grpc.StatusCode.PERMISSION_DENIED, 2007)
        # its own project works, with or without host
        self.srv.execute(project_pb2.CreateDevBranchCommand(projectId=p1, branchId="7"), key=k1, host=p1)
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="8"), key=k1)
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="9"), key=k1, host=p1)

    def test_admin_acts_on_any_project(self):
        pid, _ = self.new_project("auth")
        r = self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="5"), host=pid)
        resp = project_pb2.CreateDevBranchResponse()
        r.commandResponse.Unpack(resp)
        self.assertEqual(resp.devBranchReadOnlyRoleName, f"project_{pid}_branch_5_ro")

    def test_invalid_host(self):
        pid, key = self.new_project("auth")
        self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="5"),
                                                     host="../etc"), grpc.StatusCode.INVALID_ARGUMENT, 3000)

    def test_project_command_without_any_project(self):
        e = self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="5")),
                                grpc.StatusCode.INVALID_ARGUMENT, 3000)
        self.assertIn("projectId is required", e.details)

    def test_key_of_a_dropped_project_fails(self):
        pid, key = self.new_project("auth")
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=key, host=pid)
        self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName=pid))
        self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="2"), key=key,
                                                     host=pid), grpc.StatusCode.UNAUTHENTICATED, 1002)

    def test_keys_are_not_prefix_matched(self):
        # two projects whose ids share a prefix both work (the reference's prefix-lookup defect)
        a = self.srv.create_project("apikey_proj_1")
        b = self.srv.create_project("apikey_proj_2")
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=a.projectPassword)
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=b.projectPassword)
        self.assertNotEqual(a.projectPassword, b.projectPassword)

    def test_keys_never_reach_the_log(self):
        pid, key = self.new_project("auth")
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=key)
        self.assertNotIn(key, self.srv.log())
        self.assertNotIn(self.srv.admin_key, self.srv.log())


if __name__ == "__main__":
    unittest.main()
