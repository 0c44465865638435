// cfitsio and HDF5 are linked from their static Debian archives. Their shared libraries pull in
// two libcurl builds with ~35 more libraries (gnutls, OpenSSL, Kerberos, LDAP, ...) whose loading
// and relocation cost ~5 ms at every start of `vodf` (measured: a C program linking both starts in
// 6.35 ms, 1.13 ms with the archives and these stubs). vodf reads local files only, so the network
// drivers of the archives (cfitsio https://, HDF5 ROS3/S3) get these entry points, which fail
// cleanly: cfitsio and HDF5 then report that the URL cannot be opened.
#include <stddef.h>

void *curl_easy_init(void) { return NULL; }
int curl_easy_setopt(void *handle, int option, ...) { (void)handle; (void)option; return 2; }   // CURLE_FAILED_INIT
int curl_easy_perform(void *handle) { (void)handle; return 2; }
void curl_easy_cleanup(void *handle) { (void)handle; }
int curl_global_init(long flags) { (void)flags; return 2; }
void curl_global_cleanup(void) {}
void *curl_slist_append(void *list, const char *s) { (void)list; (void)s; return NULL; }
void curl_slist_free_all(void *list) { (void)list; }

// OpenSSL, used by HDF5's ROS3 driver to sign S3 requests.
const void *EVP_sha256(void) { return NULL; }
unsigned char *HMAC(const void *md, const void *key, int keyLength, const unsigned char *data, size_t n,
                    unsigned char *out, unsigned int *outLength) {
    (void)md; (void)key; (void)keyLength; (void)data; (void)n; (void)out; (void)outLength;
    return NULL;
}
unsigned char *SHA256(const unsigned char *data, size_t n, unsigned char *out) { (void)data; (void)n; (void)out; return NULL; }
