"""REST listener (issue 2 §5; contract §7): index, health, metrics, and the driver over HTTP in proto3 JSON and
binary protobuf, with the same handlers, auth and error mapping as gRPC."""
import json
import unittest

from google.protobuf import json_format

from harness import ServerTest, backend_pb2, common_pb2, project_pb2

CRED_TYPE = "type.googleapis.com/keboola.storageDriver.credentials.GenericBackendCredentials"
CMD = "type.googleapis.com/keboola.storageDriver.command."


def metric(text, name, **labels):
    """The value of one sample, or 0 when absent."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name + "{" + want + "}") or (not labels and line.startswith(name + " ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class RestTest(ServerTest):
    def execute_json(self, body, key=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = "Bearer " + key
        return self.srv.post("/driver/execute", data=json.dumps(body), headers=headers)

    def test_index(self):
        r = self.srv.get("/")
        self.assertEqual(r.status_code, 200)
        j = r.json()
        self.assertEqual(j["name"], "duckstore")
        self.assertEqual(j["links"]["health"], "/health")
        self.assertTrue(j["duckdb_version"].startswith("v1.4"))

    def test_health(self):
        r = self.srv.get("/health")
        self.assertEqual(r.status_code, 200)
        j = r.json()
        self.assertEqual(j["status"], "healthy")
        self.assertTrue(j["checks"]["data_dir"]["ok"])
        self.assertTrue(j["checks"]["catalog"]["ok"])
        self.assertGreaterEqual(j["checks"]["catalog"]["schema_version"], 1)

    def test_unknown_route(self):
        r = self.srv.get("/nope")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["error"], "not_found")

    def test_driver_over_json_with_credentials_in_the_body(self):
        body = {"credentials": {"@type": CRED_TYPE, "principal": self.srv.admin_key},
                "command": {"@type": CMD + "project.CreateProjectCommand", "projectId": "restjson1",
                            "fileStorage": "GCS"},
                "runtimeOptions": {"runId": "rest-run-1", "queryTags": {"a": "b"}}, "features": ["x"]}
        r = self.execute_json(body)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        j = r.json()
        cr = j["commandResponse"]
        self.assertEqual(cr["@type"], CMD + "project.CreateProjectResponse")
        self.assertEqual(cr["projectDatabaseName"], "restjson1")
        self.assertEqual(cr["projectUserName"], "project_restjson1")
        self.assertNotIn("projectRoleName", cr)  # proto3 JSON omits defaults
        # the answer is valid proto3 JSON for the official parser
        resp = json_format.Parse(r.text, common_pb2.DriverResponse())
        out = project_pb2.CreateProjectResponse()
        resp.commandResponse.Unpack(out)
        self.assertEqual(out.projectPassword, cr["projectPassword"])
        # the new key works over gRPC: one store behind both transports
        self.srv.execute(project_pb2.CreateDevBranchCommand(branchId="1"), key=out.projectPassword)

    def test_json_made_by_the_official_printer(self):
        req = self.srv.request(project_pb2.UpdateProjectCommand(projectId="restjson2", timezone="UTC"), admin=True)
        self.srv.create_project("restjson2")
        r = self.srv.post("/driver/execute", data=json_format.MessageToJson(req),
                          headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {})  # no response, no messages

    def test_bearer_key_replaces_the_principal(self):
        pid, key = self.new_project("rest")
        body = {"command": {"@type": CMD + "project.CreateDevBranchCommand", "branchId": "77"}}
        r = self.execute_json(body, key=key)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["commandResponse"]["devBranchReadOnlyRoleName"], f"project_{pid}_branch_77_ro")
        # a project key may not run a root command, also over HTTP
        r = self.execute_json({"command": {"@type": CMD + "backend.InitBackendCommand"}}, key=key)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["code"], 2007)
        self.assertEqual(r.json()["error"], "permission_denied")

    def test_binary_protobuf(self):
        req = self.srv.request(project_pb2.CreateProjectCommand(projectId="restbin1"), admin=True)
        r = self.srv.post("/driver/execute", data=req.SerializeToString(),
                          headers={"Content-Type": "application/x-protobuf"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/x-protobuf")
        resp = common_pb2.DriverResponse.FromString(r.content)
        out = project_pb2.CreateProjectResponse()
        self.assertTrue(resp.commandResponse.Unpack(out))
        self.assertEqual(out.projectDatabaseName, "restbin1")

    def test_error_mapping(self):
        admin = {"credentials": {"@type": CRED_TYPE, "principal": self.srv.admin_key}}
        self.srv.create_project("restdup")
        cases = [
            ({"command": {"@type": CMD + "project.DropProjectCommand", "projectDatabaseName": "ghost"}}, 404, 2000,
             "not_found"),
            ({"command": {"@type": CMD + "project.CreateProjectCommand", "projectId": "restdup"}}, 409, 2006,
             "already_exists"),
            ({"command": {"@type": CMD + "workspace.CreateWorkspaceCommand"}}, 501, 900, "not_supported"),
            ({"command": {"@type": CMD + "project.CreateProjectCommand", "projectId": "../x"}}, 400, 3000,
             "validation_error"),
        ]
        for body, status, code, name in cases:
            r = self.execute_json({**admin, **body})
            self.assertEqual(r.status_code, status, r.text)
            j = r.json()
            self.assertEqual((j["code"], j["error"]), (code, name))
            self.assertTrue(j["message"])
            self.assertEqual(r.headers["X-Keboola-Error-Code"], str(code))
        r = self.execute_json({"command": {"@type": CMD + "backend.InitBackendCommand"}})
        self.assertEqual((r.status_code, r.json()["code"]), (401, 1002))
        r = self.execute_json({"command": {"@type": CMD + "backend.InitBackendCommand"}}, key="wrong")
        self.assertEqual((r.status_code, r.json()["message"]), (401, "Authentication failed."))

    def test_bad_bodies(self):
        h = {"Content-Type": "application/json"}
        for data in ("{", "[]", '{"command": {"@type": "type.googleapis.com/no.Such"}}',
                     '{"command": 5}', '{"nope": 1}'):
            r = self.srv.post("/driver/execute", data=data, headers=h)
            self.assertEqual(r.status_code, 400, data)
            self.assertEqual(r.json()["code"], 3000)
        r = self.srv.post("/driver/execute", data=b"\xff\xff", headers={"Content-Type": "application/x-protobuf"})
        self.assertEqual(r.status_code, 400)
        r = self.srv.post("/driver/execute", data="x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 400)
        r = self.srv.get("/driver/execute")
        self.assertEqual(r.status_code, 400)

    def test_metrics(self):
        before = self.srv.get("/metrics").text
        pid, key = self.new_project("met")
        self.srv.execute(backend_pb2.RemoveBackendCommand())
        self.srv.execute(backend_pb2.RemoveBackendCommand())
        try:
            self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName="ghost"))
        except Exception:
            pass
        r = self.srv.get("/metrics")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))
        t = r.text
        for name, labels, delta in [
            ("duckstore_requests_total", dict(command="RemoveBackendCommand", transport="grpc", status="OK"), 2),
            ("duckstore_requests_total", dict(command="CreateProjectCommand", transport="grpc", status="OK"), 1),
            ("duckstore_requests_total", dict(command="DropProjectCommand", transport="grpc", status="NOT_FOUND"), 1),
        ]:
            self.assertEqual(metric(t, name, **labels) - metric(before, name, **labels), delta, (name, labels))
        count = metric(t, "duckstore_request_duration_seconds_count", command="RemoveBackendCommand")
        inf = metric(t, "duckstore_request_duration_seconds_bucket", command="RemoveBackendCommand", le="+Inf")
        self.assertEqual(count, inf)
        self.assertGreaterEqual(count, 2)
        self.assertIn("# TYPE duckstore_request_duration_seconds histogram", t)
        self.assertEqual(metric(t, "duckstore_requests_in_flight"), 0)
        projects = self.srv.get("/health").json()["projects"]
        self.assertEqual(metric(t, "duckstore_projects"), projects)
        self.assertRegex(t, r'duckstore_build_info\{version="[^"]+",duckdb_version="v1\.4\.\d+"\} 1')
        # every sample line is well formed
        for line in t.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$')


if __name__ == "__main__":
    unittest.main()
