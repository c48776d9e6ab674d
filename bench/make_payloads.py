#!/usr/bin/env python3
"""Writes the request bodies bench/rpc.sh sends: usage make_payloads.py OUTDIR ADMIN_KEY.
  execute_remove_backend.bin  DriverRequest{credentials=admin key, command=RemoveBackendCommand}
  health_check.bin            HealthCheckRequest{} (empty message: zero bytes)"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "build", "py"))

from google.protobuf import any_pb2  # noqa: E402
from proto import backend_pb2, common_pb2, credentials_pb2  # noqa: E402


def pack(m):
    a = any_pb2.Any()
    a.Pack(m)
    return a


out, key = sys.argv[1], sys.argv[2]
req = common_pb2.DriverRequest(credentials=pack(credentials_pb2.GenericBackendCredentials(principal=key)),
                               command=pack(backend_pb2.RemoveBackendCommand()))
with open(os.path.join(out, "execute_remove_backend.bin"), "wb") as f:
    f.write(req.SerializeToString())
with open(os.path.join(out, "health_check.bin"), "wb") as f:
    f.write(b"")
