/*
 * Unit tests for src/remote: SigV4 signing against AWS's published examples (Amazon S3 API reference,
 * "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk": the GET
 * object, PUT object, GET lifecycle and list-objects requests, AKIAIOSFODNN7EXAMPLE at 20130524T000000Z),
 * object URLs (AWS default, S3_ENDPOINT with a base path, ABS default and ABS_ENDPOINT with {account}),
 * key and bucket checks, manifest URLs both ways, and fileCredentials decoding.
 */
#include <stdlib.h>

#include "core/buf.h"
#include "core/pool.h"
#include "proto/table.pb-c.h"
#include "remote/remote.h"
#include "t.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define AKID "AKIAIOSFODNN7EXAMPLE"
#define HOST "examplebucket.s3.amazonaws.com"
#define DATE "20130524T000000Z"
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define CRED "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "

static const char *sign(const char *method, const char *uri, const char *query, const ds_remote_hdr *h, size_t n,
                        const char *payload, ds_buf *out) {
  ds_error err;
  ds_buf_reset(out);
  int rc = ds_remote_sigv4(method, uri, query, h, n, payload, AKID, SECRET, "us-east-1", DATE, out, &err);
  CHECK_INT(rc, 0);
  return out->data;
}

static void test_sigv4_examples(void) {
  ds_buf b;
  ds_buf_init(&b, 4096);
  /* GET object with a Range header (headers given out of order: the signer sorts them) */
  ds_remote_hdr get[] = {{"x-amz-date", DATE}, {"range", "bytes=0-9"}, {"host", HOST}, {"x-amz-content-sha256", EMPTY}};
  CHECK_STR(sign("GET", "/test.txt", "", get, 4, EMPTY, &b),
            CRED "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                 "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  /* PUT object: '$' in the key is percent-encoded in the canonical URI */
  const char *put_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  ds_remote_hdr put[] = {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
                         {"host", HOST},
                         {"x-amz-content-sha256", put_hash},
                         {"x-amz-date", DATE},
                         {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  CHECK_STR(sign("PUT", "/test%24file.text", "", put, 5, put_hash, &b),
            CRED "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                 "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  /* GET ?lifecycle and GET ?max-keys=2&prefix=J */
  ds_remote_hdr three[] = {{"host", HOST}, {"x-amz-content-sha256", EMPTY}, {"x-amz-date", DATE}};
  CHECK_STR(sign("GET", "/", "lifecycle=", three, 3, EMPTY, &b),
            CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                 "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  CHECK_STR(sign("GET", "/", "max-keys=2&prefix=J", three, 3, EMPTY, &b),
            CRED "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                 "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  /* a different secret gives a different signature */
  ds_error err;
  ds_buf_reset(&b);
  CHECK_INT(ds_remote_sigv4("GET", "/test.txt", "", get, 4, EMPTY, AKID, "other", "us-east-1", DATE, &b, &err), 0);
  CHECK(strstr(b.data, "f0e8bdb87c96") == NULL);
  /* too many headers */
  ds_remote_hdr many[17];
  for (int i = 0; i < 17; i++) many[i] = (ds_remote_hdr){"x", "y"};
  CHECK(ds_remote_sigv4("GET", "/", "", many, 17, EMPTY, AKID, SECRET, "us-east-1", DATE, &b, &err) < 0);
  ds_buf_release(&b);
}

static const char *url(const ds_remote *r, const char *bucket, const char *key, ds_buf *b, int *rc) {
  static ds_error err;
  ds_buf_reset(b);
  *rc = ds_remote_object_url(r, bucket, key, b, &err);
  return *rc ? err.msg : b->data;
}

static void test_urls(void) {
  ds_buf b;
  ds_error err;
  int rc;
  ds_buf_init(&b, 1 << 16);
  ds_remote s3 = {.kind = DS_REMOTE_S3, .root = "bkt", .key_id = "k", .secret = "s", .token = "", .region = "eu-west-1"};
  ds_remote abs = {.kind = DS_REMOTE_ABS, .root = "cont", .account = "acct", .sas = "sv=2021&sig=x%2By"};
  /* the public clouds (no endpoints set) */
  CHECK_INT(ds_remote_init(NULL, "", &err), 0);
  CHECK_STR(url(&s3, NULL, "a b/c$d+e.csv", &b, &rc), "https://s3.eu-west-1.amazonaws.com/bkt/a%20b/c%24d%2Be.csv");
  CHECK_STR(url(&s3, "other.bucket", "x~y_z-1.csv", &b, &rc), "https://s3.eu-west-1.amazonaws.com/other.bucket/x~y_z-1.csv");
  CHECK_STR(url(&abs, NULL, "dir/f 1.csv", &b, &rc), "https://acct.blob.core.windows.net/cont/dir/f%201.csv");
  CHECK_STR(url(&s3, NULL, "ünï.csv", &b, &rc), "https://s3.eu-west-1.amazonaws.com/bkt/%C3%BCn%C3%AF.csv");
  /* configured endpoints: a base path is kept, a trailing '/' dropped, {account} replaced */
  CHECK_INT(ds_remote_init("http://127.0.0.1:9000/base/", "http://127.0.0.1:10000/{account}", &err), 0);
  CHECK_STR(url(&s3, NULL, "k.csv", &b, &rc), "http://127.0.0.1:9000/base/bkt/k.csv");
  CHECK_STR(url(&abs, NULL, "k.csv", &b, &rc), "http://127.0.0.1:10000/acct/cont/k.csv");
  CHECK_INT(ds_remote_init("http://h:1", "http://127.0.0.1:10000/devstore", &err), 0);
  CHECK_STR(url(&s3, NULL, "k.csv", &b, &rc), "http://h:1/bkt/k.csv");
  CHECK_STR(url(&abs, NULL, "k.csv", &b, &rc), "http://127.0.0.1:10000/devstore/cont/k.csv");
  /* bad endpoints */
  CHECK_INT(ds_remote_init("ftp://x", NULL, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_init("http://x/?a=b", NULL, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_init(NULL, "x.blob.core.windows.net", &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_init(NULL, NULL, &err), 0);
  /* keys and buckets are checked before they become URLs */
  url(&s3, NULL, "../etc/passwd", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  url(&s3, NULL, "/abs", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  url(&s3, NULL, "a//b", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  url(&s3, NULL, "a\nb", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  url(&s3, "a/b", "k", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  url(&s3, "", "k", &b, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  /* manifest URLs */
  ds_buf_reset(&b);
  CHECK_INT(ds_remote_manifest_url(&s3, "exp/f_000000000000.csv", &b), 0);
  CHECK_STR(b.data, "s3://bkt/exp/f_000000000000.csv");
  ds_buf_reset(&b);
  CHECK_INT(ds_remote_manifest_url(&abs, "exp/f_manifest", &b), 0);
  CHECK_STR(b.data, "azure://acct.blob.core.windows.net/cont/exp/f_manifest");
  char bucket[256], key[1100];
  CHECK_INT(ds_remote_parse_url(&s3, "s3://b2/dir/x.csv.gz", bucket, sizeof bucket, key, sizeof key, &err), 0);
  CHECK_STR(bucket, "b2");
  CHECK_STR(key, "dir/x.csv.gz");
  CHECK_INT(ds_remote_parse_url(&s3, "s3://b2", bucket, sizeof bucket, key, sizeof key, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_parse_url(&s3, "s3://b2/", bucket, sizeof bucket, key, sizeof key, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_parse_url(&s3, "gs://b2/x", bucket, sizeof bucket, key, sizeof key, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_parse_url(&abs, "azure://acct.blob.core.windows.net/c1/p/x.csv", bucket, sizeof bucket, key,
                                sizeof key, &err), 0);
  CHECK_STR(bucket, "c1");
  CHECK_STR(key, "p/x.csv");
  CHECK_INT(ds_remote_parse_url(&abs, "https://ACCT.blob.core.windows.net/c2/y.csv", bucket, sizeof bucket, key,
                                sizeof key, &err), 0);
  CHECK_STR(bucket, "c2");
  CHECK_INT(ds_remote_parse_url(&abs, "azure://other.blob.core.windows.net/c1/x", bucket, sizeof bucket, key,
                                sizeof key, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "\"acct\"") != NULL);
  CHECK_INT(ds_remote_parse_url(&abs, "azure://acctx.blob.core.windows.net/c1/x", bucket, sizeof bucket, key,
                                sizeof key, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_parse_url(&abs, "s3://c1/x", bucket, sizeof bucket, key, sizeof key, &err), DS_E_VALIDATION);
  ds_buf_release(&b);
}

static Google__Protobuf__Any *any_of(ds_pool *p, const ProtobufCMessage *m, const char *type) {
  Google__Protobuf__Any *a = ds_pool_calloc(p, sizeof *a);
  google__protobuf__any__init(a);
  a->type_url = ds_pool_printf(p, "type.googleapis.com/keboola.storageDriver.command.table.ImportExportShared.%s", type);
  a->value.len = protobuf_c_message_get_packed_size(m);
  a->value.data = ds_pool_alloc(p, a->value.len + 1);
  protobuf_c_message_pack(m, a->value.data);
  return a;
}

static void test_credentials(void) {
  ds_pool *p = ds_pool_new();
  ds_remote r;
  ds_error err;
  Keboola__StorageDriver__Command__Table__ImportExportShared__S3Credentials s3 =
      KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__S3_CREDENTIALS__INIT;
  s3.key = (char *)"AKID";
  s3.secret = (char *)"sec";
  s3.token = (char *)"tok";
  s3.region = (char *)"";
  CHECK_INT(ds_remote_from_any(p, 0, "bkt", any_of(p, &s3.base, "S3Credentials"), &r, &err), 0);
  CHECK_INT(r.kind, DS_REMOTE_S3);
  CHECK_STR(r.key_id, "AKID");
  CHECK_STR(r.token, "tok");
  CHECK_STR(r.region, "us-east-1");
  s3.region = (char *)"eu/west";
  CHECK_INT(ds_remote_from_any(p, 0, "bkt", any_of(p, &s3.base, "S3Credentials"), &r, &err), DS_E_VALIDATION);
  s3.region = (char *)"eu-west-1";
  s3.secret = (char *)"";
  CHECK_INT(ds_remote_from_any(p, 0, "bkt", any_of(p, &s3.base, "S3Credentials"), &r, &err), DS_E_VALIDATION);
  s3.secret = (char *)"sec";
  /* wrong message type, none, GCS, a bad root */
  CHECK_INT(ds_remote_from_any(p, 1, "c", any_of(p, &s3.base, "S3Credentials"), &r, &err), DS_E_VALIDATION);
  CHECK_INT(ds_remote_from_any(p, 0, "bkt", NULL, &r, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "S3Credentials") != NULL);
  CHECK_INT(ds_remote_from_any(p, 2, "bkt", any_of(p, &s3.base, "S3Credentials"), &r, &err), DS_E_NOT_SUPPORTED);
  CHECK(strstr(err.msg, "GCS") != NULL);
  CHECK_INT(ds_remote_from_any(p, 0, "b/k", any_of(p, &s3.base, "S3Credentials"), &r, &err), DS_E_VALIDATION);
  /* ABS: SAS only */
  Keboola__StorageDriver__Command__Table__ImportExportShared__ABSCredentials abs =
      KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__IMPORT_EXPORT_SHARED__ABSCREDENTIALS__INIT;
  abs.accountname = (char *)"acct";
  abs.accountkey = (char *)"base64key==";
  abs.sastoken = (char *)"";
  CHECK_INT(ds_remote_from_any(p, 1, "cont", any_of(p, &abs.base, "ABSCredentials"), &r, &err), DS_E_VALIDATION);
  CHECK_STR(err.msg, "ABS account keys are not supported; use a SAS token.");
  abs.sastoken = (char *)"?sv=2021-08-06&sig=abc%3D";
  CHECK_INT(ds_remote_from_any(p, 1, "cont", any_of(p, &abs.base, "ABSCredentials"), &r, &err), 0);
  CHECK_STR(r.sas, "sv=2021-08-06&sig=abc%3D");
  CHECK_STR(r.account, "acct");
  abs.accountname = (char *)"a.b";
  CHECK_INT(ds_remote_from_any(p, 1, "cont", any_of(p, &abs.base, "ABSCredentials"), &r, &err), DS_E_VALIDATION);
  ds_pool_free(p);
}

int main(void) {
  test_sigv4_examples();
  test_urls();
  test_credentials();
  ds_remote_cleanup();
  return T_DONE();
}
