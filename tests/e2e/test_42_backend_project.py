"""Backend, project and dev-branch commands (issue 2; protocol §2.1–§2.2, contract §5–§6)."""
import os
import shutil
import unittest

import grpc

from harness import ServerTest, backend_pb2, project_pb2


class BackendTest(ServerTest):
    def test_init_backend_creates_the_layout(self):
        shutil.rmtree(os.path.join(self.srv.data_dir, "files"))
        r = self.srv.execute(backend_pb2.InitBackendCommand())
        resp = backend_pb2.InitBackendResponse()
        self.assertTrue(r.commandResponse.Unpack(resp))
        self.assertTrue(os.path.isdir(os.path.join(self.srv.data_dir, "files")))
        self.assertTrue(os.path.isdir(os.path.join(self.srv.data_dir, "projects")))

    def test_remove_backend_is_a_no_op_that_keeps_data(self):
        pid, key = self.new_project("rb")
        r = self.srv.execute(backend_pb2.RemoveBackendCommand())
        self.assertFalse(r.HasField("commandResponse"))
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=key, host=pid)


class BrokenDataDirTest(ServerTest):
    def test_init_backend_on_an_unusable_directory(self):
        files = os.path.join(self.srv.data_dir, "files")
        shutil.rmtree(files)
        with open(files, "w") as f:  # a file where a directory must be: unusable even for root
            f.write("x")
        try:
            e = self.assertRpcError(lambda: self.srv.execute(backend_pb2.InitBackendCommand()),
                                    grpc.StatusCode.INVALID_ARGUMENT, 3000, retryable=False)
            self.assertTrue(e.details.startswith("Cannot initialize backend. Following errors were encountered:"))
            self.assertIn("files", e.details)
            h = self.srv.get("/health")
            self.assertEqual(h.status_code, 503)
            self.assertEqual(h.json()["status"], "unhealthy")
            self.assertFalse(h.json()["checks"]["data_dir"]["ok"])
        finally:
            os.unlink(files)
        self.srv.execute(backend_pb2.InitBackendCommand())
        self.assertEqual(self.srv.get("/health").status_code, 200)


class ProjectTest(ServerTest):
    def test_create_project_answers_the_contract_fields(self):
        r = self.srv.execute(project_pb2.CreateProjectCommand(projectId="123", stackPrefix="kbc_",
                                                              fileStorage=project_pb2.CreateProjectCommand.ABS))
        self.assertEqual(r.commandResponse.type_url,
                         "type.googleapis.com/keboola.storageDriver.command.project.CreateProjectResponse")
        resp = project_pb2.CreateProjectResponse()
        r.commandResponse.Unpack(resp)
        self.assertEqual(resp.projectDatabaseName, "123")
        self.assertEqual(resp.projectUserName, "project_123")
        self.assertEqual(resp.projectReadOnlyRoleName, "project_123_ro")
        self.assertGreaterEqual(len(resp.projectPassword), 32)
        self.assertTrue(os.path.isfile(os.path.join(self.srv.data_dir, "projects", "123.duckdb")))
        self.assertTrue(os.path.isdir(os.path.join(self.srv.data_dir, "files", "123")))
        info = self.srv.get("/projects/123", headers={"Authorization": "Bearer " + resp.projectPassword}).json()
        self.assertEqual(info["file_storage"], "ABS")
        self.assertEqual(info["stack_prefix"], "kbc_")

    def test_second_create_with_the_same_id(self):
        self.srv.create_project("dup1")
        self.assertRpcError(lambda: self.srv.create_project("dup1"), grpc.StatusCode.ALREADY_EXISTS, 2006,
                            'Project with project id "dup1" already exists.', retryable=False)

    def test_bad_project_ids(self):
        projects = os.path.join(self.srv.data_dir, "projects")
        before = sorted(os.listdir(projects)), sorted(os.listdir(self.srv.data_dir))
        for bad in ("", "../etc", "a/b", "a b", "x" * 65, "semi;colon", "quote\"", "nul\x00x", "system", "é"):
            e = self.assertRpcError(lambda: self.srv.create_project(bad), grpc.StatusCode.INVALID_ARGUMENT, 3000,
                                    retryable=False)
            self.assertTrue(any(t in e.details for t in ("projectId is required", "Project id", 'Field "projectId"')),
                            e.details)
        # nothing was created anywhere, and the server keeps answering
        self.assertEqual((sorted(os.listdir(projects)), sorted(os.listdir(self.srv.data_dir))), before)
        self.srv.execute(backend_pb2.RemoveBackendCommand())

    def test_update_project_stores_region_and_timezone(self):
        pid, key = self.new_project("up")
        r = self.srv.execute(project_pb2.UpdateProjectCommand(projectId=pid, region="eu-central-1",
                                                              timezone="Europe/Prague"))
        self.assertFalse(r.HasField("commandResponse"))
        auth = {"Authorization": "Bearer " + key}
        info = self.srv.get(f"/projects/{pid}", headers=auth).json()
        self.assertEqual((info["region"], info["timezone"]), ("eu-central-1", "Europe/Prague"))
        # only the given fields change
        self.srv.execute(project_pb2.UpdateProjectCommand(projectId=pid, timezone="UTC"))
        info = self.srv.get(f"/projects/{pid}", headers=auth).json()
        self.assertEqual((info["region"], info["timezone"]), ("eu-central-1", "UTC"))

    def test_update_project_errors(self):
        pid, key = self.new_project("up")
        self.assertRpcError(lambda: self.srv.execute(project_pb2.UpdateProjectCommand(projectId=pid,
                                                                                      timezone="Mars/Olympus")),
                            grpc.StatusCode.INVALID_ARGUMENT, 3000, 'Timezone "Mars/Olympus" is not valid.')
        self.assertRpcError(lambda: self.srv.execute(project_pb2.UpdateProjectCommand(projectId="nosuchproj",
                                                                                      timezone="UTC")),
                            grpc.StatusCode.NOT_FOUND, 2000, 'Project "nosuchproj" not found.')
        self.assertRpcError(lambda: self.srv.execute(project_pb2.UpdateProjectCommand(timezone="UTC")),
                            grpc.StatusCode.INVALID_ARGUMENT, 3000, "UpdateProjectCommand.projectId is required")
        info = self.srv.get(f"/projects/{pid}", headers={"Authorization": "Bearer " + key}).json()
        self.assertEqual(info["timezone"], "")  # the failed update changed nothing

    def test_drop_project_removes_everything_and_the_id_can_be_reused(self):
        pid, key = self.new_project("drop")
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="42"), key=key, host=pid)
        db = os.path.join(self.srv.data_dir, "projects", pid + ".duckdb")
        self.assertTrue(os.path.exists(db))
        r = self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName=pid, projectUserName=f"project_{pid}"))
        self.assertFalse(r.HasField("commandResponse"))
        self.assertFalse(os.path.exists(db))
        self.assertFalse(os.path.exists(os.path.join(self.srv.data_dir, "files", pid)))
        self.assertEqual(self.srv.get(f"/projects/{pid}",
                                      headers={"Authorization": "Bearer " + self.srv.admin_key}).status_code, 404)
        # reused: a new key, and the branch of the old project is gone
        resp = self.srv.create_project(pid)
        self.assertNotEqual(resp.projectPassword, key)
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="42"), key=resp.projectPassword)

    def test_drop_unknown_project(self):
        self.assertRpcError(lambda: self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName="ghost")),
                            grpc.StatusCode.NOT_FOUND, 2000, 'Project "ghost" not found.', retryable=False)
        self.assertRpcError(lambda: self.srv.execute(project_pb2.DropProjectCommand()),
                            grpc.StatusCode.INVALID_ARGUMENT, 3000,
                            "DropProjectCommand.projectDatabaseName is required")


class DevBranchTest(ServerTest):
    def test_create_and_drop_dev_branch(self):
        pid, key = self.new_project("br")
        r = self.srv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="123"), key=key, host=pid)
        self.assertEqual(r.commandResponse.type_url,
                         "type.googleapis.com/keboola.storageDriver.command.project.CreateDevBranchResponse")
        resp = project_pb2.CreateDevBranchResponse()
        r.commandResponse.Unpack(resp)
        self.assertEqual(resp.devBranchReadOnlyRoleName, f"project_{pid}_branch_123_ro")
        self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="123"),
                                                     key=key), grpc.StatusCode.ALREADY_EXISTS, 2006)
        r = self.srv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName=resp.devBranchReadOnlyRoleName),
                             key=key, host=pid)
        self.assertFalse(r.HasField("commandResponse"))
        self.assertEqual(len(r.messages), 0)
        # the branch record is gone: the same branch can be created again
        self.srv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="123"), key=key)

    def test_drop_unknown_or_empty_branch(self):
        pid, key = self.new_project("br")
        r = self.srv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName=""), key=key)
        self.assertEqual(len(r.messages), 0)
        r = self.srv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName="nope_ro"), key=key)
        self.assertEqual(len(r.messages), 1)
        self.assertIn("nope_ro", r.messages[0].message)

    def test_bad_branch_ids(self):
        pid, key = self.new_project("br")
        for bad in ("", "../x", "a.b", "x" * 65):
            self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(branchId=bad), key=key),
                                grpc.StatusCode.INVALID_ARGUMENT, 3000)

    def test_branch_of_unknown_project(self):
        self.assertRpcError(lambda: self.srv.execute(project_pb2.CreateDevBranchCommand(projectId="ghost2",
                                                                                        branchId="1")),
                            grpc.StatusCode.NOT_FOUND, 2000, 'Project "ghost2" not found.')


if __name__ == "__main__":
    unittest.main()
