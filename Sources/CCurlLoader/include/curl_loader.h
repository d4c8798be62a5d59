#ifndef LMSHARD_CURL_LOADER_H
#define LMSHARD_CURL_LOADER_H

#include <stddef.h>

// One HTTP GET through libcurl, which is opened with dlopen on the first
// call instead of being linked: linking it (as FoundationNetworking does)
// makes every lmshard process load libcurl and ~30 libraries it needs
// (TLS, Kerberos, LDAP, ...) and resolve their symbols, ~4 ms of every
// start, for a download that only `HubResolver` ever makes. Only
// LMTokenizer's hub downloader calls this.

/// One response, as `lmshard_http_get` fills it. `headers` holds the raw
/// header lines of the response (status line first, CRLF-separated);
/// `headers` and `body` are malloc'ed, freed by `lmshard_http_free`.
typedef struct {
    long status;
    char *headers;
    size_t headers_length;
    char *body;
    size_t body_length;
    /// Why the request failed, NUL-terminated, when the call returns -1.
    char error[256];
} lmshard_http_response;

/// GETs `url` with the `header_count` header lines `headers` ("Name: value"),
/// without following redirects, giving up when the connection takes more
/// than `timeout_seconds` or no byte arrives for that long. Returns 0 when
/// an HTTP response arrived (any status), -1 otherwise (libcurl missing,
/// DNS, connection, timeout), with `out->error` saying why.
int lmshard_http_get(const char *url, const char *const *headers, size_t header_count, long timeout_seconds,
                     lmshard_http_response *out);

/// Frees what `lmshard_http_get` allocated in `response`.
void lmshard_http_free(lmshard_http_response *response);

#endif
