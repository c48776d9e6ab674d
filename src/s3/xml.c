/* xml.c: XML escaping and the small element reader of the S3 API (see xml.h). */
#include "s3/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "s3/sigv4.h"

int ds_s3xml_escape(ds_buf *out, const char *s) {
  int rc = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
    switch (*p) {
    case '&': rc = ds_buf_puts(out, "&amp;"); break;
    case '<': rc = ds_buf_puts(out, "&lt;"); break;
    case '>': rc = ds_buf_puts(out, "&gt;"); break;
    case '"': rc = ds_buf_puts(out, "&quot;"); break;
    case '\'': rc = ds_buf_puts(out, "&apos;"); break;
    default:
      if (*p < 0x20) rc = ds_buf_printf(out, "&#%d;", *p);
      else rc = ds_buf_append(out, p, 1);
    }
  }
  return rc;
}

int ds_s3xml_elem(ds_buf *out, const char *tag, const char *s, int url) {
  int rc = ds_buf_printf(out, "<%s>", tag);
  if (!rc && url) {
    ds_buf enc;
    ds_buf_init(&enc, 64 << 10);
    rc = ds_sigv4_uri_encode(&enc, s, 1);
    if (!rc) rc = ds_s3xml_escape(out, enc.data ? enc.data : "");
    ds_buf_release(&enc);
  } else if (!rc) {
    rc = ds_s3xml_escape(out, s);
  }
  if (!rc) rc = ds_buf_printf(out, "</%s>", tag);
  return rc;
}

int ds_s3xml_next(const char **p, const char *end, const char *tag, const char **inner, size_t *inner_len) {
  size_t tl = strlen(tag);
  const char *s = *p;
  while (s < end) {
    const char *lt = memchr(s, '<', (size_t)(end - s));
    if (!lt || (size_t)(end - lt) < tl + 2) return -1;
    if (strncmp(lt + 1, tag, tl) == 0 && (lt[tl + 1] == '>' || lt[tl + 1] == ' ' || lt[tl + 1] == '/')) {
      const char *gt = memchr(lt, '>', (size_t)(end - lt));
      if (!gt) return -1;
      if (gt[-1] == '/') { /* <tag/>: empty */
        *inner = gt + 1;
        *inner_len = 0;
        *p = gt + 1;
        return 0;
      }
      const char *c = gt + 1;
      for (const char *q = c; q < end; q++) {
        q = memchr(q, '<', (size_t)(end - q));
        if (!q) return -1;
        if ((size_t)(end - q) >= tl + 3 && q[1] == '/' && strncmp(q + 2, tag, tl) == 0 && q[tl + 2] == '>') {
          *inner = c;
          *inner_len = (size_t)(q - c);
          *p = q + tl + 3;
          return 0;
        }
      }
      return -1;
    }
    s = lt + 1;
  }
  return -1;
}

static int put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

char *ds_s3xml_text(const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t')) n--;
  char *out = ds_malloc(n + 1), *o = out;
  for (size_t i = 0; i < n;) {
    if (s[i] != '&') {
      *o++ = s[i++];
      continue;
    }
    const char *semi = memchr(s + i, ';', n - i);
    if (!semi || semi - (s + i) > 12) goto bad;
    size_t len = (size_t)(semi - (s + i)) + 1;
    if (len == 5 && !strncmp(s + i, "&amp;", 5)) *o++ = '&';
    else if (len == 4 && !strncmp(s + i, "&lt;", 4)) *o++ = '<';
    else if (len == 4 && !strncmp(s + i, "&gt;", 4)) *o++ = '>';
    else if (len == 6 && !strncmp(s + i, "&quot;", 6)) *o++ = '"';
    else if (len == 6 && !strncmp(s + i, "&apos;", 6)) *o++ = '\'';
    else if (len > 3 && s[i + 1] == '#') {
      char num[16], *end = NULL;
      memcpy(num, s + i + 2, len - 3);
      num[len - 3] = '\0';
      unsigned long cp = (num[0] == 'x' || num[0] == 'X') ? strtoul(num + 1, &end, 16) : strtoul(num, &end, 10);
      if (*end || cp == 0 || cp > 0x10FFFF) goto bad;
      o += put_utf8(o, cp); /* a reference is at least 4 bytes long, its UTF-8 at most 4 */
    } else {
      goto bad;
    }
    i += len;
  }
  *o = '\0';
  return out;
bad:
  ds_free(out);
  return NULL;
}
