/*
 * Unit tests for src/s3 and the crypto it uses: SigV4 against AWS's published examples (Amazon S3 API
 * reference, "Signature Calculations for the Authorization Header" GET/PUT/lifecycle/list examples, the
 * presigned-URL example and the chunked-upload example, all with AKIAIOSFODNN7EXAMPLE at 20130524T000000Z),
 * the aws-chunked decoder, object key checks (objects.c), XML helpers and AES-256-GCM sealing.
 */
#include <stdlib.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "s3/chunked.h"
#include "s3/objects.h"
#include "s3/s3err.h"
#include "s3/sigv4.h"
#include "s3/xml.h"
#include "t.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define CRED "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
#define HOST "examplebucket.s3.amazonaws.com"
#define T0 1369353600 /* 2013-05-24T00:00:00Z */

static int verify(const ds_sigv4_request *r, time_t now, ds_error *err) {
  ds_sigv4_auth a;
  int rc = ds_sigv4_parse(r, &a, err);
  if (rc) return rc;
  return ds_sigv4_verify(r, &a, SECRET, now, NULL, err);
}

static void test_get_object_example(void) {
  ds_sigv4_kv h[] = {
      {"Host", HOST},
      {"Range", "bytes=0-9"},
      {"x-amz-content-sha256", DS_SIGV4_EMPTY_SHA256},
      {"x-amz-date", "20130524T000000Z"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=host;range;x-amz-content-sha256;"
                        "x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
  };
  ds_sigv4_request r = {"GET", "/test.txt", NULL, 0, h, 5};
  ds_error err;
  ds_sigv4_auth a;
  CHECK_INT(ds_sigv4_parse(&r, &a, &err), 0);
  CHECK_STR(a.access_key, "AKIAIOSFODNN7EXAMPLE");
  CHECK_STR(a.region, "us-east-1");
  CHECK_INT(a.when, T0);
  CHECK_INT(verify(&r, T0 + 60, &err), 0);
  /* 15 minutes of skew are fine, more are not */
  CHECK_INT(verify(&r, T0 + 900, &err), 0);
  CHECK_INT(verify(&r, T0 + 901, &err), DS_S3E_SKEWED);
  CHECK_INT(verify(&r, T0 - 901, &err), DS_S3E_SKEWED);
  CHECK_STR(ds_s3err_code(DS_S3E_SKEWED), "RequestTimeTooSkewed");
  CHECK_INT(ds_s3err_http(DS_S3E_SKEWED), 403);
  /* another secret, another range, another path: the signature no longer matches */
  ds_sigv4_auth b;
  ds_sigv4_parse(&r, &b, &err);
  CHECK_INT(ds_sigv4_verify(&r, &b, SECRET "x", T0, NULL, &err), DS_S3E_SIGNATURE);
  h[1].value = "bytes=0-10";
  CHECK_INT(verify(&r, T0, &err), DS_S3E_SIGNATURE);
  h[1].value = "bytes=0-9";
  r.path = "/test.txT";
  CHECK_INT(verify(&r, T0, &err), DS_S3E_SIGNATURE);
  CHECK_STR(ds_s3err_code(DS_S3E_SIGNATURE), "SignatureDoesNotMatch");
}

static void test_put_object_example(void) {
  ds_sigv4_kv h[] = {
      {"Host", HOST},
      {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=date;host;x-amz-content-sha256;"
                        "x-amz-date;x-amz-storage-class,"
                        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
  };
  ds_sigv4_request r = {"PUT", "/test$file.text", NULL, 0, h, 6};
  ds_error err;
  CHECK_INT(verify(&r, T0, &err), 0);
  /* the canonical URI encodes '$' */
  ds_sigv4_auth a;
  ds_buf b;
  ds_buf_init(&b, 1 << 16);
  ds_sigv4_parse(&r, &a, &err);
  CHECK_INT(ds_sigv4_canonical_request(&r, &a, &b, &err), 0);
  CHECK(b.data && strncmp(b.data, "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n", 57) == 0);
  ds_buf_release(&b);
}

static void test_query_examples(void) {
  ds_error err;
  /* GET /?lifecycle: a parameter without a value */
  ds_sigv4_kv q1[] = {{"lifecycle", NULL}};
  ds_sigv4_kv h1[] = {
      {"Host", HOST},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-content-sha256", DS_SIGV4_EMPTY_SHA256},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
  };
  ds_sigv4_request r1 = {"GET", "/", q1, 1, h1, 4};
  CHECK_INT(verify(&r1, T0, &err), 0);
  /* GET /?max-keys=2&prefix=J (given out of order: the canonical query sorts) */
  ds_sigv4_kv q2[] = {{"prefix", "J"}, {"max-keys", "2"}};
  h1[3].value = "AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
  ds_sigv4_request r2 = {"GET", "/", q2, 2, h1, 4};
  CHECK_INT(verify(&r2, T0, &err), 0);
}

static void test_presigned_example(void) {
  ds_sigv4_kv q[] = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", CRED},
      {"X-Amz-Date", "20130524T000000Z"},
      {"X-Amz-Expires", "86400"},
      {"X-Amz-SignedHeaders", "host"},
      {"X-Amz-Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"},
  };
  ds_sigv4_kv h[] = {{"Host", HOST}};
  ds_sigv4_request r = {"GET", "/test.txt", q, 6, h, 1};
  ds_sigv4_auth a;
  ds_error err;
  CHECK_INT(ds_sigv4_parse(&r, &a, &err), 0);
  CHECK(a.presigned);
  CHECK_STR(a.payload_hash, DS_SIGV4_UNSIGNED);
  CHECK_INT(verify(&r, T0 + 3600, &err), 0);
  CHECK_INT(verify(&r, T0 + 86400, &err), 0);
  CHECK_INT(verify(&r, T0 + 86401, &err), DS_S3E_ACCESS_DENIED);
  CHECK_STR(err.msg, "Request has expired");
  q[5].value = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d405";
  CHECK_INT(verify(&r, T0, &err), DS_S3E_SIGNATURE);
  q[3].value = "604801";
  CHECK_INT(ds_sigv4_parse(&r, &a, &err), DS_S3E_AUTH_QUERY);
  /* no auth at all: anonymous */
  ds_sigv4_request anon = {"GET", "/x", NULL, 0, h, 1};
  CHECK_INT(ds_sigv4_parse(&anon, &a, &err), 1);
  /* malformed credential */
  ds_sigv4_kv bad[] = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/2013/us-east-1/s3/aws4_request,"
                                         "SignedHeaders=host,Signature=00"}};
  ds_sigv4_request rb = {"GET", "/x", NULL, 0, bad, 1};
  CHECK_INT(ds_sigv4_parse(&rb, &a, &err), DS_S3E_AUTH_HEADER);
}

struct collect {
  ds_buf b;
};

static int collect_sink(void *arg, const void *data, size_t n, ds_error *err) {
  (void)err;
  return ds_buf_append(&((struct collect *)arg)->b, data, n);
}

/* The chunked-upload example: 66560 bytes of 'a' in chunks of 65536 and 1024, then the final empty chunk. */
static void test_chunked_example(void) {
  static const char *sigs[] = {"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                               "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                               "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"};
  const char *seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  const char *scope = "20130524/us-east-1/s3/aws4_request";
  unsigned char key[32];
  ds_sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", key);
  /* the seed: the canonical request of the example's headers */
  ds_sigv4_kv h[] = {
      {"Host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"x-amz-content-sha256", DS_SIGV4_STREAMING},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"Content-Length", "66824"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=content-encoding;content-length;host;"
                        "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
                        "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
  };
  ds_sigv4_request r = {"PUT", "/examplebucket/chunkObject.txt", NULL, 0, h, 8};
  ds_error err;
  CHECK_INT(verify(&r, T0, &err), 0);
  /* chunk signatures chain from the seed */
  char sig[65], prev[65];
  char data_hash[65];
  snprintf(prev, sizeof prev, "%s", seed);
  size_t sizes[] = {65536, 1024, 0};
  char *a = malloc(65536);
  memset(a, 'a', 65536);
  for (int i = 0; i < 3; i++) {
    ds_sha256_hex(a, sizes[i], data_hash);
    ds_sigv4_chunk(key, "20130524T000000Z", scope, prev, data_hash, sig);
    CHECK_STR(sig, sigs[i]);
    memcpy(prev, sig, sizeof sig);
  }
  /* the decoder, fed the body in awkward pieces */
  ds_buf body;
  ds_buf_init(&body, 1 << 20);
  for (int i = 0; i < 3; i++) {
    ds_buf_printf(&body, "%zx;chunk-signature=%s\r\n", sizes[i], sigs[i]);
    ds_buf_append(&body, a, sizes[i]);
    ds_buf_puts(&body, "\r\n");
  }
  CHECK_INT(body.len, 66824); /* the example's Content-Length */
  for (int corrupt = 0; corrupt < 2; corrupt++) {
    struct collect c;
    ds_buf_init(&c.b, 1 << 20);
    if (corrupt) body.data[88 + 100] ^= 1; /* a byte of chunk 0's data (its header is 88 bytes) */
    ds_chunked *d = ds_chunked_new(key, "20130524T000000Z", scope, seed);
    int rc = 0;
    for (size_t off = 0; off < body.len && !rc; off += 7777) {
      size_t n = body.len - off < 7777 ? body.len - off : 7777;
      rc = ds_chunked_feed(d, body.data + off, n, collect_sink, &c, &err);
    }
    if (!corrupt) {
      CHECK_INT(rc, 0);
      CHECK_INT(ds_chunked_finish(d, &err), 0);
      CHECK_INT(c.b.len, 66560);
      CHECK_INT(ds_chunked_decoded(d), 66560);
    } else {
      CHECK_INT(rc, DS_S3E_SIGNATURE);
    }
    ds_chunked_free(d);
    ds_buf_release(&c.b);
  }
  /* unsigned framing with a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER); a cut body does not finish */
  const char *t = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  struct collect c;
  ds_buf_init(&c.b, 1024);
  ds_chunked *d = ds_chunked_new(NULL, NULL, NULL, NULL);
  CHECK_INT(ds_chunked_feed(d, t, strlen(t), collect_sink, &c, &err), 0);
  CHECK_INT(ds_chunked_finish(d, &err), 0);
  CHECK_STR(c.b.data, "hello");
  ds_chunked_free(d);
  d = ds_chunked_new(NULL, NULL, NULL, NULL);
  CHECK_INT(ds_chunked_feed(d, t, 12, collect_sink, &c, &err), 0);
  CHECK_INT(ds_chunked_finish(d, &err), DS_S3E_INCOMPLETE_BODY);
  CHECK_INT(ds_chunked_feed(d, "zz\r\n", 4, collect_sink, &c, &err), DS_S3E_INCOMPLETE_BODY);
  ds_chunked_free(d);
  ds_buf_release(&c.b);
  ds_buf_release(&body);
  free(a);
}

static void test_keys(void) {
  ds_error err;
  char path[4096], project[65];
  CHECK_INT(ds_objects_key_check("a/b/c.csv", 0, &err), 0);
  CHECK_INT(ds_objects_key_check("\xc3\xa9 +x.txt", 0, &err), 0);
  CHECK_INT(ds_objects_key_check("a..b/c", 0, &err), 0);
  const char *bad[] = {"", "../x", "a/../b", "a/..", "./a", "/abs", "a//b", "a/", ".ds/meta", ".dsx",
                       "a\\b", "a\x01", "\xff\xfe", NULL};
  for (int i = 0; bad[i]; i++) {
    int rc = ds_objects_key_check(bad[i], 0, &err);
    CHECK_INT(rc, DS_E_VALIDATION);
    if (!rc) fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
  }
  CHECK_INT(ds_objects_key_check("a/", 1, &err), 0);
  char longkey[1100];
  memset(longkey, 'k', 1025);
  longkey[1025] = '\0';
  CHECK_INT(ds_objects_key_check(longkey, 0, &err), DS_E_VALIDATION);
  CHECK_INT(ds_objects_path("/d", "123", "a/b", path, sizeof path, &err), 0);
  CHECK_STR(path, "/d/files/123/a/b");
  CHECK_INT(ds_objects_path("/d", "123", "../x", path, sizeof path, &err), DS_E_VALIDATION);
  CHECK_INT(ds_objects_path("/d", "../1", "x", path, sizeof path, &err), DS_E_VALIDATION);
  CHECK_INT(ds_objects_root("/d", "123", path, sizeof path, &err), 0);
  CHECK_STR(path, "/d/files/123");
  CHECK_INT(ds_objects_bucket_project("project-123", project, sizeof project, &err), 0);
  CHECK_STR(project, "123");
  CHECK_INT(ds_objects_bucket_project("other", project, sizeof project, &err), DS_E_NOT_FOUND);
  CHECK(ds_objects_bucket_project("project-..", project, sizeof project, &err) != 0);
}

static void test_xml_and_encoding(void) {
  ds_buf b;
  ds_buf_init(&b, 4096);
  ds_s3xml_elem(&b, "Key", "a<b>&\"c'", 0);
  CHECK_STR(b.data, "<Key>a&lt;b&gt;&amp;&quot;c&apos;</Key>");
  ds_buf_reset(&b);
  ds_s3xml_elem(&b, "Key", "d/\xc3\xa9 +x", 1);
  CHECK_STR(b.data, "<Key>d/%C3%A9%20%2Bx</Key>");
  ds_buf_release(&b);
  const char *doc = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;ab&quot;</ETag></Part>"
                    "<Part><PartNumber>2</PartNumber><ETag>\"cd\"</ETag></Part></CompleteMultipartUpload>";
  const char *p = doc, *end = doc + strlen(doc), *inner;
  size_t n;
  int parts = 0;
  while (!ds_s3xml_next(&p, end, "Part", &inner, &n)) {
    const char *q = inner, *v;
    size_t vn;
    CHECK_INT(ds_s3xml_next(&q, inner + n, "ETag", &v, &vn), 0);
    char *t = ds_s3xml_text(v, vn);
    CHECK_STR(t, parts ? "\"cd\"" : "\"ab\"");
    ds_free(t);
    parts++;
  }
  CHECK_INT(parts, 2);
  char *t = ds_s3xml_text(" a&#233;&#x41; ", 15);
  CHECK_STR(t, "a\xc3\xa9" "A");
  ds_free(t);
  CHECK(ds_s3xml_text("&bogus;", 7) == NULL);
  CHECK_INT(ds_sigv4_parse_time("20130524T000000Z"), T0);
  CHECK_INT(ds_sigv4_parse_time("2013-05-24T00:00:00Z"), -1);
}

static void test_seal(void) {
  unsigned char key[DS_SEAL_KEY_LEN], other[DS_SEAL_KEY_LEN];
  char sealed[256], plain[128];
  ds_random_bytes(key, sizeof key);
  memcpy(other, key, sizeof key);
  other[0] ^= 1;
  const char *secret = "dsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";
  CHECK_INT(ds_seal(key, "123", secret, strlen(secret), sealed, sizeof sealed), 0);
  CHECK(strstr(sealed, "dsk_") == NULL);
  CHECK_INT(ds_unseal(key, "123", sealed, plain, sizeof plain), (long)strlen(secret));
  CHECK_STR(plain, secret);
  CHECK_INT(ds_unseal(key, "124", sealed, plain, sizeof plain), -1);   /* bound to the project id */
  CHECK_INT(ds_unseal(other, "123", sealed, plain, sizeof plain), -1); /* another master key */
  sealed[20] = sealed[20] == 'A' ? 'B' : 'A';
  CHECK_INT(ds_unseal(key, "123", sealed, plain, sizeof plain), -1); /* changed */
  CHECK_INT(ds_unseal(key, "123", "not base64!", plain, sizeof plain), -1);
  char small[8];
  CHECK_INT(ds_seal(key, "1", secret, strlen(secret), small, sizeof small), DS_E_TOO_BIG);
  /* HMAC-SHA256, RFC 4231 test case 2 */
  unsigned char mac[32];
  char hex[65];
  ds_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
  ds_hex(mac, 32, hex);
  CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  char b64[16];
  unsigned char raw[8];
  CHECK_INT(ds_base64_encode("hi!", 3, b64, sizeof b64), 4);
  CHECK_STR(b64, "aGkh");
  CHECK_INT(ds_base64_decode("aGk=", raw, sizeof raw), 2);
  CHECK_INT(ds_base64_decode("aGk", raw, sizeof raw), -1);
}

int main(void) {
  test_get_object_example();
  test_put_object_example();
  test_query_examples();
  test_presigned_example();
  test_chunked_example();
  test_keys();
  test_xml_and_encoding();
  test_seal();
  return T_DONE();
}
