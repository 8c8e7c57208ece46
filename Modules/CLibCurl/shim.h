#ifndef SCRIPTPIN_CLIBCURL_SHIM_H
#define SCRIPTPIN_CLIBCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
   call; each wrapper fixes the type of the one argument that option takes. */

typedef size_t (*scriptpin_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode scriptpin_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scriptpin_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scriptpin_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scriptpin_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scriptpin_curl_set_write_callback(CURL *handle, scriptpin_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode scriptpin_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode scriptpin_curl_get_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/* The version of the libcurl this process runs with, which may differ from the headers'. */
static inline const char *scriptpin_curl_runtime_version(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}

#endif
