#!/usr/bin/env python3
"""Writes the request bodies bench/rpc.py sends: usage make_payloads.py OUTDIR ADMIN_KEY.
  execute_remove_backend.bin  DriverRequest{credentials=admin key, command=RemoveBackendCommand}
  health_check.bin            HealthCheckRequest{} (empty message: zero bytes)"""
import os
import sys

from benchlib import request
from proto import backend_pb2

out, key = sys.argv[1], sys.argv[2]
with open(os.path.join(out, "execute_remove_backend.bin"), "wb") as f:
    f.write(request(backend_pb2.RemoveBackendCommand(), key).SerializeToString())
with open(os.path.join(out, "health_check.bin"), "wb") as f:
    f.write(b"")
