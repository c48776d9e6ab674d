#!/usr/bin/env python3
"""The baseline for bench/rpc.sh case (c): the same no-op Execute answered by a Python grpcio server with
ThreadPoolExecutor(10), the stack of the Python reference service. It does the reference's work for a no-op
command: parse the DriverRequest, unpack the credentials Any, look the command up by name, answer an empty
DriverResponse. Binds 127.0.0.1:0 and prints "PORT <n>"; runs until SIGTERM. Run with /usr/bin/python3."""
import os
import signal
import sys
import threading
from concurrent import futures

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "build", "py"))

import grpc  # noqa: E402
from proto import backend_pb2, common_pb2, credentials_pb2  # noqa: E402

HANDLERS = {"RemoveBackendCommand": lambda cmd: None}


def execute(request, context):
    creds = credentials_pb2.GenericBackendCredentials()
    if request.HasField("credentials"):
        request.credentials.Unpack(creds)
    name = request.command.type_url.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    handler = HANDLERS.get(name)
    if handler is None:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"Unsupported command: {name}")
    cmd = backend_pb2.RemoveBackendCommand()
    request.command.Unpack(cmd)
    handler(cmd)
    return common_pb2.DriverResponse()


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    handler = grpc.method_handlers_generic_handler("keboola.storageDriver.service.StorageDriverService", {
        "Execute": grpc.unary_unary_rpc_method_handler(
            execute, request_deserializer=common_pb2.DriverRequest.FromString,
            response_serializer=common_pb2.DriverResponse.SerializeToString)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"PORT {port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    stop.wait()
    server.stop(1)


if __name__ == "__main__":
    main()
