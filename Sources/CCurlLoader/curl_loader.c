#include "curl_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The libcurl ABI this file uses, stated here because the build needs no
// curl headers (libcurl4-dev): these values are fixed by libcurl's ABI
// (curl/curl.h: CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT
// 20000; CURLINFO_LONG 0x200000) and have not changed since libcurl 7.
enum {
    OPT_WRITEDATA = 10001,
    OPT_URL = 10002,
    OPT_HTTPHEADER = 10023,
    OPT_HEADERDATA = 10029,
    OPT_WRITEFUNCTION = 20011,
    OPT_HEADERFUNCTION = 20079,
    OPT_LOW_SPEED_LIMIT = 19,
    OPT_LOW_SPEED_TIME = 20,
    OPT_FOLLOWLOCATION = 52,
    OPT_CONNECTTIMEOUT = 78,
    OPT_NOSIGNAL = 99,
    OPT_NOPROGRESS = 43,
    INFO_RESPONSE_CODE = 0x200002,
    GLOBAL_ALL = 3,
};

struct curl_slist;
typedef size_t (*write_callback)(char *, size_t, size_t, void *);

static struct {
    int (*global_init)(long);
    void *(*easy_init)(void);
    int (*easy_setopt)(void *, int, ...);
    int (*easy_perform)(void *);
    int (*easy_getinfo)(void *, int, ...);
    void (*easy_cleanup)(void *);
    const char *(*easy_strerror)(int);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    const char *missing;
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    // Debian's and Fedora's names; the OpenSSL flavour first, as linked
    // before, then the GnuTLS one.
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        curl.missing = "libcurl (libcurl.so.4) is not installed; install it (Debian: apt-get install libcurl4)";
        return;
    }
#define LOAD(field, symbol)                                                   \
    do {                                                                      \
        *(void **)&curl.field = dlsym(lib, symbol);                          \
        if (!curl.field) {                                                    \
            curl.missing = "libcurl lacks " symbol;                           \
            return;                                                           \
        }                                                                     \
    } while (0)
    LOAD(global_init, "curl_global_init");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_perform, "curl_easy_perform");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
#undef LOAD
    // Not thread-safe in old libcurl, hence once, before any handle.
    if (curl.global_init(GLOBAL_ALL) != 0) curl.missing = "curl_global_init failed";
}

/// A growing malloc'ed buffer that libcurl appends to.
struct buffer {
    char *bytes;
    size_t length;
    size_t capacity;
    int failed;
};

static size_t append(char *data, size_t size, size_t count, void *context) {
    struct buffer *b = context;
    size_t n = size * count;
    if (n > b->capacity - b->length) {
        size_t capacity = b->capacity ? b->capacity : 64 * 1024;
        while (capacity - b->length < n) capacity *= 2;
        char *grown = realloc(b->bytes, capacity);
        if (!grown) {
            b->failed = 1;
            return 0;  // libcurl stops with a write error
        }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, data, n);
    b->length += n;
    return n;
}

int lmshard_http_get(const char *url, const char *const *headers, size_t header_count, long timeout_seconds,
                     lmshard_http_response *out) {
    memset(out, 0, sizeof *out);
    pthread_once(&curl_once, load_curl);
    if (curl.missing) {
        snprintf(out->error, sizeof out->error, "%s", curl.missing);
        return -1;
    }
    void *handle = curl.easy_init();
    if (!handle) {
        snprintf(out->error, sizeof out->error, "curl_easy_init failed");
        return -1;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) {
        struct curl_slist *next = curl.slist_append(list, headers[i]);
        if (!next) {
            curl.slist_free_all(list);
            curl.easy_cleanup(handle);
            snprintf(out->error, sizeof out->error, "out of memory");
            return -1;
        }
        list = next;
    }
    struct buffer head = {0}, body = {0};
    write_callback callback = append;
    curl.easy_setopt(handle, OPT_URL, url);
    curl.easy_setopt(handle, OPT_HTTPHEADER, list);
    curl.easy_setopt(handle, OPT_FOLLOWLOCATION, 0L);
    curl.easy_setopt(handle, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, OPT_NOPROGRESS, 1L);
    curl.easy_setopt(handle, OPT_CONNECTTIMEOUT, timeout_seconds);
    curl.easy_setopt(handle, OPT_LOW_SPEED_LIMIT, 1L);
    curl.easy_setopt(handle, OPT_LOW_SPEED_TIME, timeout_seconds);
    curl.easy_setopt(handle, OPT_WRITEFUNCTION, callback);
    curl.easy_setopt(handle, OPT_WRITEDATA, (void *)&body);
    curl.easy_setopt(handle, OPT_HEADERFUNCTION, callback);
    curl.easy_setopt(handle, OPT_HEADERDATA, (void *)&head);
    int code = curl.easy_perform(handle);
    long status = 0;
    if (code == 0) curl.easy_getinfo(handle, INFO_RESPONSE_CODE, &status);
    if (code != 0 || head.failed || body.failed) {
        snprintf(out->error, sizeof out->error, "%s",
                 head.failed || body.failed ? "out of memory" : curl.easy_strerror(code));
        free(head.bytes);
        free(body.bytes);
    } else {
        out->status = status;
        out->headers = head.bytes;
        out->headers_length = head.length;
        out->body = body.bytes;
        out->body_length = body.length;
    }
    curl.slist_free_all(list);
    curl.easy_cleanup(handle);
    return code == 0 && !head.failed && !body.failed ? 0 : -1;
}

void lmshard_http_free(lmshard_http_response *response) {
    free(response->headers);
    free(response->body);
    response->headers = NULL;
    response->body = NULL;
}
