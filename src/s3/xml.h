/*
 * xml.h: the little XML the S3 API needs: escaping text into responses, S3's url encoding of keys in listings
 * (encoding-type=url), and reading the elements of small request bodies (CompleteMultipartUpload,
 * DeleteObjects). The reader finds `<tag>text</tag>` elements in order; it is not a general XML parser and does
 * not need to be: those bodies are flat lists of simple elements. Pure functions; thread safe.
 */
#ifndef DS_S3XML_H
#define DS_S3XML_H

#include <stddef.h>

#include "core/buf.h"

#define DS_S3XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* Appends s with &, <, >, " and ' escaped (and control characters as numeric references). */
int ds_s3xml_escape(ds_buf *out, const char *s);
/* Appends <tag>escaped s</tag>; when url is set, s is url-encoded first (S3's EncodingType=url). */
int ds_s3xml_elem(ds_buf *out, const char *tag, const char *s, int url);

/* Finds the next <tag>...</tag> element (the start tag may carry attributes) at or after *p and before end. On success
 * *inner and *inner_len hold the content and *p moves past the end tag; returns 0, or -1 when there is none. */
int ds_s3xml_next(const char **p, const char *end, const char *tag, const char **inner, size_t *inner_len);
/* Unescapes XML text (the five entities and numeric references) into a new string the caller ds_free()s;
 * surrounding white space is removed. NULL when the text holds a bad reference. */
char *ds_s3xml_text(const char *s, size_t n);

#endif
