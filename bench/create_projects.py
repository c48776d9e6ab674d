#!/usr/bin/env python3
"""Creates N projects through Execute: usage create_projects.py HOST:PORT ADMIN_KEY N [PREFIX]. Prints the time."""
import sys
import time

import grpc

from benchlib import EXECUTE, request
from proto import common_pb2, project_pb2

target, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
prefix = sys.argv[4] if len(sys.argv) > 4 else "bench"
call = grpc.insecure_channel(target).unary_unary(EXECUTE, request_serializer=common_pb2.DriverRequest.SerializeToString,
                                                 response_deserializer=common_pb2.DriverResponse.FromString)
t0 = time.time()
for i in range(n):
    call(request(project_pb2.CreateProjectCommand(projectId=f"{prefix}{i}"), key), timeout=60)
print(f"{time.time() - t0:.2f}")
