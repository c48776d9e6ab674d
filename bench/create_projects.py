#!/usr/bin/env python3
"""Creates N projects through Execute: usage create_projects.py HOST:PORT ADMIN_KEY N [PREFIX]. Prints the time."""
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "build", "py"))

import grpc  # noqa: E402
from google.protobuf import any_pb2  # noqa: E402
from proto import common_pb2, credentials_pb2, project_pb2  # noqa: E402


def pack(m):
    a = any_pb2.Any()
    a.Pack(m)
    return a


target, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
prefix = sys.argv[4] if len(sys.argv) > 4 else "bench"
ch = grpc.insecure_channel(target)
call = ch.unary_unary("/keboola.storageDriver.service.StorageDriverService/Execute",
                      request_serializer=common_pb2.DriverRequest.SerializeToString,
                      response_deserializer=common_pb2.DriverResponse.FromString)
creds = pack(credentials_pb2.GenericBackendCredentials(principal=key))
t0 = time.time()
for i in range(n):
    call(common_pb2.DriverRequest(credentials=creds, command=pack(project_pb2.CreateProjectCommand(
        projectId=f"{prefix}{i}"))), timeout=60)
print(f"{time.time() - t0:.2f}")
