"""Health checking and server reflection (issue 2 §4): what grpcurl list/describe need, tested with a
python3-grpcio client built from Debian's reflection.proto."""
import importlib.util
import os
import subprocess
import tempfile
import unittest

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

from harness import ServerTest

GRPC_PROTO = "/usr/share/grpc-proto"
_gen = tempfile.mkdtemp(prefix="ds-reflection-py-")
subprocess.run(["protoc", f"-I{GRPC_PROTO}", f"--python_out={_gen}", "grpc/reflection/v1alpha/reflection.proto",
                "grpc/health/v1/health.proto"], check=True)


def _load(name, path):
    # the generated modules live under grpc/..., a name python3-grpcio's package owns: load them by path
    spec = importlib.util.spec_from_file_location(name, os.path.join(_gen, path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


reflection_pb2 = _load("ds_reflection_pb2", "grpc/reflection/v1alpha/reflection_pb2.py")
health_pb2 = _load("ds_health_pb2", "grpc/health/v1/health_pb2.py")


class ReflectionTest(ServerTest):
    def reflect(self, requests, version="v1alpha"):
        stub = self.srv.channel.stream_stream(
            f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        return list(stub(iter(requests), timeout=30))

    def test_list_services(self):
        for version in ("v1alpha", "v1"):
            [r] = self.reflect([reflection_pb2.ServerReflectionRequest(list_services="")], version)
            names = {s.name for s in r.list_services_response.service}
            self.assertIn("keboola.storageDriver.service.StorageDriverService", names)
            self.assertIn("grpc.health.v1.Health", names)
            self.assertIn("grpc.reflection.v1alpha.ServerReflection", names)

    def test_describe_the_driver_service_like_grpcurl(self):
        reqs = [reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="keboola.storageDriver.service.StorageDriverService"),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
            reflection_pb2.ServerReflectionRequest(file_by_filename="proto/table.proto")]
        r1, r2, r3 = self.reflect(reqs)  # several requests on one stream
        pool = descriptor_pool.DescriptorPool()
        files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                 for b in r1.file_descriptor_response.file_descriptor_proto]
        self.assertEqual(files[0].name, "proto/service.proto")
        names = [f.name for f in files]
        self.assertEqual(len(names), len(set(names)))
        # add dependencies first, as grpcurl does, and resolve the method's types
        added = set()
        while len(added) < len(files):
            for f in files:
                if f.name not in added and all(d in added for d in f.dependency):
                    pool.Add(f)
                    added.add(f.name)
        svc = pool.FindServiceByName("keboola.storageDriver.service.StorageDriverService")
        m = svc.FindMethodByName("Execute")
        self.assertEqual(m.input_type.full_name, "keboola.storageDriver.command.common.DriverRequest")
        self.assertEqual(m.output_type.full_name, "keboola.storageDriver.command.common.DriverResponse")
        self.assertEqual(r2.error_response.error_code, grpc.StatusCode.NOT_FOUND.value[0])
        tnames = [descriptor_pb2.FileDescriptorProto.FromString(b).name
                  for b in r3.file_descriptor_response.file_descriptor_proto]
        self.assertEqual(tnames[0], "proto/table.proto")
        self.assertIn("proto/info.proto", tnames)
        self.assertIn("google/protobuf/struct.proto", tnames)

    def test_nested_symbol(self):
        [r] = self.reflect([reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="keboola.storageDriver.command.table.ImportExportShared.ImportOptions")])
        f = descriptor_pb2.FileDescriptorProto.FromString(r.file_descriptor_response.file_descriptor_proto[0])
        self.assertEqual(f.name, "proto/table.proto")

    def test_health_check(self):
        check = self.srv.channel.unary_unary("/grpc.health.v1.Health/Check",
                                             request_serializer=lambda m: m.SerializeToString(),
                                             response_deserializer=health_pb2.HealthCheckResponse.FromString)
        self.assertEqual(check(health_pb2.HealthCheckRequest(), timeout=10).status,
                         health_pb2.HealthCheckResponse.SERVING)
        self.assertEqual(check(health_pb2.HealthCheckRequest(
            service="keboola.storageDriver.service.StorageDriverService"), timeout=10).status,
            health_pb2.HealthCheckResponse.SERVING)
        with self.assertRaises(grpc.RpcError) as cm:
            check(health_pb2.HealthCheckRequest(service="nope"), timeout=10)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_unknown_method_is_unimplemented(self):
        for path in ("/grpc.health.v1.Health/Watch", "/no.Such/Method",
                     "/keboola.storageDriver.service.StorageDriverService/Nope"):
            call = self.srv.channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            with self.assertRaises(grpc.RpcError) as cm:
                call(b"", timeout=10)
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNIMPLEMENTED, path)


if __name__ == "__main__":
    unittest.main()
