"""The S3-compatible object store on the REST port (contract §7): each project's bucket project-<id>, backed by
DATA_DIR/files/<id>/, spoken to by Debian's boto3 and awscli with SigV4 (header and presigned), path-style."""
import hashlib
import hmac
import http.client
import os
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import boto3
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import project_pb2, TOOL_SQL, ServerTest

AWS = "/usr/bin/aws"  # Debian's awscli (the `aws` first on PATH may be another install)
REGION = "us-east-1"


def md5(b):
    return hashlib.md5(b).hexdigest()


class S3Test(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key1 = cls.srv.create_project("s3a").projectPassword
        cls.key2 = cls.srv.create_project("s3b").projectPassword

    def client(self, access="s3a", secret=None, **cfg):
        return boto3.client("s3", endpoint_url=self.srv.rest_url, aws_access_key_id=access,
                            aws_secret_access_key=secret if secret is not None else self.key1, region_name=REGION,
                            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                          retries={"max_attempts": 1}, **cfg))

    def bucket_dir(self, pid="s3a"):
        return os.path.join(self.srv.data_dir, "files", pid)

    def assertS3Error(self, fn, code, status):
        with self.assertRaises(ClientError) as cm:
            fn()
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        if code is not None:
            self.assertEqual(err["Error"]["Code"], code, err)
        return err

    def signed(self, method, path, body=b"", payload_hash=None):
        """Sends a SigV4-signed request with http.client (no path normalisation, unlike urllib3), signed here
        with the path exactly as sent."""
        h = {"host": f"127.0.0.1:{self.srv.rest_port}",
             "x-amz-content-sha256": payload_hash or hashlib.sha256(body).hexdigest()}
        self.manual_auth(method, path, h, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.rest_port, timeout=30)
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data, r

    # --- objects ---------------------------------------------------------------------------------------
    def test_put_get_head_delete(self):
        s3 = self.client()
        body = os.urandom(100_000)
        r = s3.put_object(Bucket="project-s3a", Key="dir/obj.bin", Body=body, ContentType="application/x-test",
                          Metadata={"color": "blue"})
        self.assertEqual(r["ETag"], '"%s"' % md5(body))
        with open(os.path.join(self.bucket_dir(), "dir", "obj.bin"), "rb") as f:
            self.assertEqual(f.read(), body)
        g = s3.get_object(Bucket="project-s3a", Key="dir/obj.bin")
        self.assertEqual(g["Body"].read(), body)
        self.assertEqual(g["ContentType"], "application/x-test")
        self.assertEqual(g["Metadata"], {"color": "blue"})
        h = s3.head_object(Bucket="project-s3a", Key="dir/obj.bin")
        self.assertEqual(h["ContentLength"], len(body))
        self.assertEqual(h["ETag"], '"%s"' % md5(body))
        s3.delete_object(Bucket="project-s3a", Key="dir/obj.bin")
        self.assertS3Error(lambda: s3.get_object(Bucket="project-s3a", Key="dir/obj.bin"), "NoSuchKey", 404)
        self.assertS3Error(lambda: s3.head_object(Bucket="project-s3a", Key="dir/obj.bin"), None, 404)
        self.assertFalse(os.path.exists(os.path.join(self.bucket_dir(), "dir")))  # empty directory pruned
        # overwrite keeps one object with the new bytes
        s3.put_object(Bucket="project-s3a", Key="ow", Body=b"one")
        s3.put_object(Bucket="project-s3a", Key="ow", Body=b"two!")
        self.assertEqual(s3.get_object(Bucket="project-s3a", Key="ow")["Body"].read(), b"two!")
        admin = self.client("admin", self.srv.admin_key)
        self.assertS3Error(lambda: admin.get_object(Bucket="project-nope", Key="x"), "NoSuchBucket", 404)
        self.assertS3Error(lambda: s3.get_object(Bucket="project-nope", Key="x"), "AccessDenied", 403)

    def test_range(self):
        s3 = self.client()
        body = bytes(range(256)) * 4
        s3.put_object(Bucket="project-s3a", Key="range.bin", Body=body)
        g = s3.get_object(Bucket="project-s3a", Key="range.bin", Range="bytes=10-19")
        self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(g["ContentRange"], "bytes 10-19/1024")
        self.assertEqual(g["Body"].read(), body[10:20])
        self.assertEqual(s3.get_object(Bucket="project-s3a", Key="range.bin", Range="bytes=-5")["Body"].read(),
                         body[-5:])
        self.assertEqual(s3.get_object(Bucket="project-s3a", Key="range.bin", Range="bytes=1000-")["Body"].read(),
                         body[1000:])
        self.assertS3Error(lambda: s3.get_object(Bucket="project-s3a", Key="range.bin", Range="bytes=5000-"),
                           "InvalidRange", 416)

    def test_list_prefix_delimiter_pagination(self):
        s3 = self.client()
        keys = ["ls/a.txt", "ls/b/1.txt", "ls/b/2.txt", "ls/b-c.txt", "ls/c/d/e.txt", "ls/z.txt", "ls/\u00e9 +x.txt"]
        for k in keys:
            s3.put_object(Bucket="project-s3a", Key=k, Body=k.encode())
        # temporary files and reserved names never show
        open(os.path.join(self.bucket_dir(), "ls", ".ds-tmp-junk"), "wb").close()
        r = s3.list_objects_v2(Bucket="project-s3a", Prefix="ls/")
        self.assertEqual([o["Key"] for o in r["Contents"]], sorted(keys, key=lambda k: k.encode()))
        self.assertEqual(r["Contents"][0]["ETag"], '"%s"' % md5(b"ls/a.txt"))
        self.assertEqual(r["Contents"][0]["Size"], len("ls/a.txt"))
        r = s3.list_objects_v2(Bucket="project-s3a", Prefix="ls/", Delimiter="/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["ls/a.txt", "ls/b-c.txt", "ls/z.txt", "ls/\u00e9 +x.txt"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["ls/b/", "ls/c/"])
        # pagination with max-keys 2, with and without delimiter
        for delim in ("", "/"):
            seen, token, pages = [], None, 0
            while True:
                kw = {"Bucket": "project-s3a", "Prefix": "ls/", "MaxKeys": 2, "Delimiter": delim}
                if token:
                    kw["ContinuationToken"] = token
                r = s3.list_objects_v2(**kw)
                pages += 1
                page = [o["Key"] for o in r.get("Contents", [])] + [p["Prefix"] for p in r.get("CommonPrefixes", [])]
                self.assertLessEqual(len(page), 2)
                seen += page
                if not r["IsTruncated"]:
                    break
                token = r["NextContinuationToken"]
            want = sorted(keys, key=lambda k: k.encode()) if not delim else \
                ["ls/a.txt", "ls/b-c.txt", "ls/b/", "ls/c/", "ls/z.txt", "ls/\u00e9 +x.txt"]
            self.assertEqual(seen, want)
            self.assertGreaterEqual(pages, 3)
        r = s3.list_objects_v2(Bucket="project-s3a", Prefix="ls/", StartAfter="ls/b/2.txt")
        self.assertEqual([o["Key"] for o in r["Contents"]],
                         [k for k in sorted(keys, key=lambda k: k.encode()) if k.encode() > b"ls/b/2.txt"])
        # paginator over ListObjects (v1) too
        v1 = [o["Key"] for p in s3.get_paginator("list_objects").paginate(Bucket="project-s3a", Prefix="ls/",
                                                                            PaginationConfig={"PageSize": 3})
              for o in p.get("Contents", [])]
        self.assertEqual(v1, sorted(keys, key=lambda k: k.encode()))
        r = s3.list_objects_v2(Bucket="project-s3a", Prefix="../")
        self.assertEqual(r["KeyCount"], 0)

    def test_copy(self):
        s3 = self.client()
        s3.put_object(Bucket="project-s3a", Key="cp/src", Body=b"copy me", ContentType="text/plain")
        r = s3.copy_object(Bucket="project-s3a", Key="cp/dst", CopySource={"Bucket": "project-s3a", "Key": "cp/src"})
        self.assertEqual(r["CopyObjectResult"]["ETag"], '"%s"' % md5(b"copy me"))
        g = s3.get_object(Bucket="project-s3a", Key="cp/dst")
        self.assertEqual(g["Body"].read(), b"copy me")
        self.assertEqual(g["ContentType"], "text/plain")
        # to another bucket: the admin may, a project key may not
        admin = self.client("admin", self.srv.admin_key)
        admin.copy_object(Bucket="project-s3b", Key="from-a", CopySource="project-s3a/cp/src")
        self.assertEqual(admin.get_object(Bucket="project-s3b", Key="from-a")["Body"].read(), b"copy me")
        self.assertS3Error(lambda: s3.copy_object(Bucket="project-s3a", Key="x", CopySource="project-s3b/from-a"),
                           "AccessDenied", 403)
        self.assertS3Error(lambda: s3.copy_object(Bucket="project-s3a", Key="x", CopySource="project-s3a/cp/none"),
                           "NoSuchKey", 404)

    def test_multipart_upload_file_and_abort(self):
        s3 = self.client()
        data = os.urandom(17 * 1024 * 1024 + 123)
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "big"), os.path.join(d, "back")
            with open(src, "wb") as f:
                f.write(data)
            cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
            s3.upload_file(src, "project-s3a", "mp/big.bin", Config=cfg)
            h = s3.head_object(Bucket="project-s3a", Key="mp/big.bin")
            self.assertEqual(h["ContentLength"], len(data))
            parts = [data[i:i + 5 * 1024 * 1024] for i in range(0, len(data), 5 * 1024 * 1024)]
            want = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-%d" % len(parts)
            self.assertEqual(h["ETag"], '"%s"' % want)
            s3.download_file("project-s3a", "mp/big.bin", dst, Config=cfg)
            with open(dst, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())
        mp_root = os.path.join(self.srv.data_dir, "tmp", "multipart", "s3a")
        self.assertEqual(os.listdir(mp_root), [])  # the completed upload's parts are gone
        # abort: nothing left, neither in the bucket nor in tmp
        up = s3.create_multipart_upload(Bucket="project-s3a", Key="mp/aborted")
        s3.upload_part(Bucket="project-s3a", Key="mp/aborted", UploadId=up["UploadId"], PartNumber=1, Body=b"x" * 1000)
        self.assertEqual(len(os.listdir(mp_root)), 1)
        self.assertNotIn("aborted", os.listdir(os.path.join(self.bucket_dir(), "mp")))
        s3.abort_multipart_upload(Bucket="project-s3a", Key="mp/aborted", UploadId=up["UploadId"])
        self.assertEqual(os.listdir(mp_root), [])
        self.assertS3Error(lambda: s3.head_object(Bucket="project-s3a", Key="mp/aborted"), None, 404)
        self.assertS3Error(lambda: s3.upload_part(Bucket="project-s3a", Key="mp/aborted", UploadId=up["UploadId"],
                                                  PartNumber=2, Body=b"y"), "NoSuchUpload", 404)
        # a wrong part ETag fails the completion
        up = s3.create_multipart_upload(Bucket="project-s3a", Key="mp/bad")
        s3.upload_part(Bucket="project-s3a", Key="mp/bad", UploadId=up["UploadId"], PartNumber=1, Body=b"z" * 10)
        self.assertS3Error(lambda: s3.complete_multipart_upload(
            Bucket="project-s3a", Key="mp/bad", UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"%s"' % md5(b"other")}]}), "InvalidPart", 400)
        s3.abort_multipart_upload(Bucket="project-s3a", Key="mp/bad", UploadId=up["UploadId"])

    def test_drop_project_removes_objects_and_unfinished_uploads(self):
        key = self.srv.create_project("s3drop").projectPassword
        s3 = self.client("s3drop", key)
        s3.put_object(Bucket="project-s3drop", Key="a/b.txt", Body=b"hello")
        up = s3.create_multipart_upload(Bucket="project-s3drop", Key="pending")
        s3.upload_part(Bucket="project-s3drop", Key="pending", UploadId=up["UploadId"], PartNumber=1, Body=b"x")
        mp = os.path.join(self.srv.data_dir, "tmp", "multipart", "s3drop")
        self.assertTrue(os.path.isdir(mp))
        self.srv.execute(project_pb2.DropProjectCommand(projectDatabaseName="s3drop"))
        self.assertFalse(os.path.exists(mp))
        self.assertFalse(os.path.exists(self.bucket_dir("s3drop")))
        self.assertS3Error(lambda: s3.get_object(Bucket="project-s3drop", Key="a/b.txt"), None, 403)

    # --- auth --------------------------------------------------------------------------------------------
    def test_presigned_get_and_expiry(self):
        s3 = self.client()
        s3.put_object(Bucket="project-s3a", Key="pre/x.txt", Body=b"presigned body")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "project-s3a", "Key": "pre/x.txt"},
                                        ExpiresIn=300)
        r = requests.get(url, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.content, b"presigned body")
        r = requests.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), timeout=30)
        self.assertEqual(r.status_code, 403)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "project-s3a", "Key": "pre/x.txt"},
                                        ExpiresIn=1)
        time.sleep(2.2)
        r = requests.get(url, timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>AccessDenied</Code>", r.text)
        self.assertIn("Request has expired", r.text)

    def test_wrong_secret_other_project_and_anonymous(self):
        bad = self.client(secret=self.key1 + "x")
        self.assertS3Error(lambda: bad.list_objects_v2(Bucket="project-s3a"), "SignatureDoesNotMatch", 403)
        self.assertS3Error(lambda: bad.put_object(Bucket="project-s3a", Key="nope", Body=b"x"),
                           "SignatureDoesNotMatch", 403)
        self.assertFalse(os.path.exists(os.path.join(self.bucket_dir(), "nope")))
        other = self.client("s3b", self.key2)
        self.assertS3Error(lambda: other.list_objects_v2(Bucket="project-s3a"), "AccessDenied", 403)
        self.assertS3Error(lambda: other.put_object(Bucket="project-s3a", Key="intrude", Body=b"x"),
                           "AccessDenied", 403)
        self.assertFalse(os.path.exists(os.path.join(self.bucket_dir(), "intrude")))
        unknown = self.client("nosuchproject", "whatever")
        self.assertS3Error(lambda: unknown.list_objects_v2(Bucket="project-s3a"), "InvalidAccessKeyId", 403)
        r = requests.get(self.srv.rest_url + "/project-s3a/anything", timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>AccessDenied</Code>", r.text)

    def test_clock_skew(self):
        host = f"127.0.0.1:{self.srv.rest_port}"
        empty = hashlib.sha256(b"").hexdigest()
        now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        old = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 16 * 60))
        for date, status in ((now, 200), (old, 403)):
            headers = {"host": host, "x-amz-content-sha256": empty}
            self.manual_auth("GET", "/project-s3a", headers, date)
            r = requests.get(self.srv.rest_url + "/project-s3a", headers=headers, timeout=30)
            self.assertEqual(r.status_code, status, r.text)
        self.assertIn("<Code>RequestTimeTooSkewed</Code>", r.text)

    def test_admin_reaches_every_bucket_and_list_buckets(self):
        admin = self.client("admin", self.srv.admin_key)
        admin.put_object(Bucket="project-s3b", Key="by-admin", Body=b"admin wrote")
        self.assertEqual(self.client("s3b", self.key2).get_object(Bucket="project-s3b", Key="by-admin")["Body"].read(),
                         b"admin wrote")
        names = [b["Name"] for b in admin.list_buckets()["Buckets"]]
        self.assertIn("project-s3a", names)
        self.assertIn("project-s3b", names)
        self.assertEqual([b["Name"] for b in self.client().list_buckets()["Buckets"]], ["project-s3a"])
        # a plain GET / is still the JSON index
        r = requests.get(self.srv.rest_url + "/", timeout=30)
        self.assertEqual(r.json()["name"], "duckstore")

    def test_key_with_dot_dot_is_refused(self):
        root = self.srv.data_dir
        before = sorted(os.listdir(root))
        for path in ("/project-s3a/../escape.txt", "/project-s3a/a/../../escape.txt", "/project-s3a//abs.txt",
                     "/project-s3a/./x/../../escape.txt"):
            status, body, _ = self.signed("PUT", path, body=b"evil")
            self.assertEqual(status, 400, (path, body))
            self.assertIn(b"<Code>InvalidArgument</Code>", body)
        # percent-encoded dots decode to the same keys; they are refused too (their canonical path, encoded
        # again by the server, differs from the one signed, so the signature check may refuse them first)
        for path in ("/project-s3a/%2E%2E/escape.txt", "/project-s3a/..%2Fescape.txt"):
            status, body, _ = self.signed("PUT", path, body=b"evil")
            self.assertIn(status, (400, 403), (path, body))
        self.assertEqual(sorted(os.listdir(root)), before)
        for dirpath, _dirs, files in os.walk(root):
            self.assertNotIn("escape.txt", files)
            self.assertNotIn("abs.txt", files)
        # through boto3 (urllib3 normalises dot segments before sending, so the request names another path)
        s3 = self.client()
        with self.assertRaises(ClientError):
            s3.put_object(Bucket="project-s3a", Key="../escape.txt", Body=b"evil")
        for dirpath, _dirs, files in os.walk(root):
            self.assertNotIn("escape.txt", files)

    def test_payload_hash_is_verified(self):
        status, body, _ = self.signed("PUT", "/project-s3a/hash/ok", body=b"abc")
        self.assertEqual(status, 200, body)
        status, body, _ = self.signed("PUT", "/project-s3a/hash/bad", body=b"abc",
                                      payload_hash=hashlib.sha256(b"abd").hexdigest())
        self.assertEqual(status, 400, body)
        self.assertIn(b"XAmzContentSHA256Mismatch", body)
        self.assertFalse(os.path.exists(os.path.join(self.bucket_dir(), "hash", "bad")))
        self.assertEqual([f for f in os.listdir(os.path.join(self.bucket_dir(), "hash"))], ["ok"])  # no temp left

    def manual_auth(self, method, path, headers, amz_date, secret=None):
        """Adds a SigV4 Authorization header computed here (independently of botocore); returns the signing key
        and the signature."""
        scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
        headers["x-amz-date"] = amz_date
        names = sorted(headers)
        creq = "\n".join([method, path, ""] + [f"{n}:{headers[n]}" for n in names] +
                         ["", ";".join(names), headers["x-amz-content-sha256"]])

        def hm(k, m):
            return hmac.new(k, m.encode(), hashlib.sha256).digest()
        k = hm(hm(hm(hm(("AWS4" + (secret or self.key1)).encode(), amz_date[:8]), REGION), "s3"), "aws4_request")
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=s3a/{scope}, SignedHeaders={';'.join(names)}, "
                                    f"Signature={sig}")
        return k, sig, scope

    def _chunked_put(self, key, data, chunk=65536, corrupt=False):
        """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload with chunk signatures, built by hand."""
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        path = "/project-s3a/" + urllib.parse.quote(key)
        host = f"127.0.0.1:{self.srv.rest_port}"
        chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
        sig_len = 64
        length = sum(len(hex(len(c))[2:]) + len(";chunk-signature=") + sig_len + 2 + len(c) + 2 for c in chunks)
        headers = {"host": host, "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                   "x-amz-decoded-content-length": str(len(data)),
                   "content-encoding": "aws-chunked", "content-length": str(length)}
        k, seed, scope = self.manual_auth("PUT", path, headers, amz_date)
        body, prev = b"", seed
        for i, c in enumerate(chunks):
            s = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, hashlib.sha256(b"").hexdigest(),
                           hashlib.sha256(c).hexdigest()])
            sig = hmac.new(k, s.encode(), hashlib.sha256).hexdigest()
            if corrupt and i == 1:
                sig = "0" * 64
            body += hex(len(c))[2:].encode() + b";chunk-signature=" + sig.encode() + b"\r\n" + c + b"\r\n"
            prev = sig
        assert len(body) == length
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.rest_port, timeout=30)
        conn.request("PUT", path, body=body, headers=headers)
        r = conn.getresponse()
        out = r.status, r.read()
        conn.close()
        return out

    def test_aws_chunked_upload(self):
        data = os.urandom(200_000)
        status, body = self._chunked_put("chunked/ok.bin", data)
        self.assertEqual(status, 200, body)
        with open(os.path.join(self.bucket_dir(), "chunked", "ok.bin"), "rb") as f:
            self.assertEqual(f.read(), data)
        status, body = self._chunked_put("chunked/bad.bin", data, corrupt=True)
        self.assertEqual(status, 403, body)
        self.assertIn(b"SignatureDoesNotMatch", body)
        self.assertEqual(os.listdir(os.path.join(self.bucket_dir(), "chunked")), ["ok.bin"])

    def test_key_without_sealed_copy_cannot_use_s3(self):
        pid = "s3old"
        key = self.srv.create_project(pid).projectPassword
        self.assertEqual(self.client(pid, key).list_objects_v2(Bucket="project-" + pid)["KeyCount"], 0)
        # a key from before the migration has no sealed copy: simulate with the stopped server's catalog
        self.srv.stop()
        cat = os.path.join(self.srv.data_dir, "catalog.duckdb")
        p = subprocess.run([TOOL_SQL, cat, f"UPDATE api_keys SET sealed_secret = NULL WHERE project_id = '{pid}'"],
                           capture_output=True, text=True)
        self.srv.start()
        self.assertEqual(p.returncode, 0, p.stderr)
        err = self.assertS3Error(lambda: self.client(pid, key).list_objects_v2(Bucket="project-" + pid),
                                 "AccessDenied", 403)
        self.assertIn("before S3 support", err["Error"]["Message"])
        # the key still works for the driver (gRPC auth by hash is unchanged)
        self.assertEqual(self.new_bucket(pid, key, "in.c-old"), "in_c_old")
        admin = self.client("admin", self.srv.admin_key)
        self.assertEqual(admin.list_objects_v2(Bucket="project-" + pid)["KeyCount"], 0)

    # --- awscli ------------------------------------------------------------------------------------------
    def test_awscli_cp_ls_rm(self):
        if not os.path.exists(AWS):
            self.skipTest("Debian's awscli is not installed")
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "config")
            env = dict(os.environ, AWS_ACCESS_KEY_ID="s3a", AWS_SECRET_ACCESS_KEY=self.key1,
                       AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=cfg,
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(d, "creds"), AWS_PAGER="")
            for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
                env.pop(var, None)
            subprocess.run([AWS, "configure", "set", "default.s3.addressing_style", "path"], env=env, check=True)

            def aws(*args):
                p = subprocess.run([AWS, "--endpoint-url", self.srv.rest_url, *args], env=env, capture_output=True,
                                   text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
                return p.stdout
            src, back = os.path.join(d, "up.bin"), os.path.join(d, "down.bin")
            data = os.urandom(9 * 1024 * 1024 + 7)  # over awscli's 8 MB multipart threshold
            with open(src, "wb") as f:
                f.write(data)
            aws("s3", "cp", src, "s3://project-s3a/cli/up.bin")
            aws("s3", "cp", os.path.join(os.path.dirname(__file__), "harness.py"), "s3://project-s3a/cli/sub/h.py")
            out = aws("s3", "ls", "s3://project-s3a/cli/")
            self.assertIn("up.bin", out)
            self.assertIn("PRE sub/", out)
            self.assertIn(str(len(data)), out)
            aws("s3", "cp", "s3://project-s3a/cli/up.bin", back)
            with open(back, "rb") as f:
                self.assertEqual(f.read(), data)
            aws("s3", "rm", "s3://project-s3a/cli/up.bin")
            out = aws("s3", "ls", "--recursive", "s3://project-s3a/cli/")
            self.assertNotIn("up.bin", out)
            self.assertIn("cli/sub/h.py", out)
            aws("s3", "rm", "--recursive", "s3://project-s3a/cli/")
            self.assertFalse(os.path.exists(os.path.join(self.bucket_dir(), "cli")))


if __name__ == "__main__":
    unittest.main()
