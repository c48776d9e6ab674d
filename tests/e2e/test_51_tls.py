"""gRPC over TLS (contract §1: --tls-cert/--tls-key), with a self-signed certificate made by openssl."""
import os
import subprocess
import tempfile
import unittest

import grpc

from harness import EXECUTE, Server, backend_pb2, common_pb2


class TlsTest(unittest.TestCase):
    def test_tls(self):
        d = tempfile.mkdtemp(prefix="ds-tls-")
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True)
        srv = Server(extra_args=["--tls-cert", cert, "--tls-key", key])
        try:
            srv.start()
            self.assertIn("(TLS)", srv.log())
            creds = grpc.ssl_channel_credentials(root_certificates=open(cert, "rb").read())
            with grpc.secure_channel(srv.grpc_target, creds) as ch:
                call = ch.unary_unary(EXECUTE, request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=common_pb2.DriverResponse.FromString)
                r = call(srv.request(backend_pb2.InitBackendCommand(), admin=True), timeout=30)
                self.assertTrue(r.HasField("commandResponse"))
            # a plaintext client cannot talk to it
            with grpc.insecure_channel(srv.grpc_target) as ch:
                call = ch.unary_unary(EXECUTE, request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=common_pb2.DriverResponse.FromString)
                with self.assertRaises(grpc.RpcError) as cm:
                    call(srv.request(backend_pb2.InitBackendCommand(), admin=True), timeout=5)
                self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_missing_key_file(self):
        srv = Server(extra_args=["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        try:
            with self.assertRaises(RuntimeError) as cm:
                srv.start(timeout=30)
            self.assertIn("/nonexistent/cert.pem", str(cm.exception))
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
