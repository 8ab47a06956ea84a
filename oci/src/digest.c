/* Streaming SHA-256 through OpenSSL's EVP interface, in the "sha256:<hex>"
 * form OCI descriptors use. */
#include "comtainer/oci.h"
#include "image_private.h"

#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct oci_sha256 {
    EVP_MD_CTX *ctx;
    bool failed; /* an update failed: final reports it */
};

oci_sha256 *oci_sha256_new(void)
{
    oci_sha256 *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
        oci_sha256_free(h);
        return NULL;
    }
    return h;
}

void oci_sha256_update(oci_sha256 *h, const void *data, size_t len)
{
    if (len && !EVP_DigestUpdate(h->ctx, data, len))
        h->failed = true;
}

int oci_sha256_final(oci_sha256 *h, char digest[OCI_DIGEST_LEN + 1], ctr_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (h->failed || !EVP_DigestFinal_ex(h->ctx, md, &len) || len != 32)
        return ctr_error_set(err, 0, "sha256 failed");
    static const char hex[] = "0123456789abcdef";
    memcpy(digest, "sha256:", 7);
    for (unsigned i = 0; i < len; i++) {
        digest[7 + 2 * i] = hex[md[i] >> 4];
        digest[8 + 2 * i] = hex[md[i] & 15];
    }
    digest[OCI_DIGEST_LEN] = '\0';
    return 0;
}

void oci_sha256_free(oci_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

int oci_sha256_buffer(const void *data, size_t len, char digest[OCI_DIGEST_LEN + 1],
                      ctr_error *err)
{
    oci_sha256 *h = oci_sha256_new();
    if (!h)
        return ctr_error_set(err, ENOMEM, "sha256");
    oci_sha256_update(h, data, len);
    int rc = oci_sha256_final(h, digest, err);
    oci_sha256_free(h);
    return rc;
}

bool oci_digest_valid(const char *s)
{
    return s && !strncmp(s, "sha256:", 7) && irs_is_hash_hex(s + 7);
}

int oci_sha256_file(const char *path, char digest[OCI_DIGEST_LEN + 1], uint64_t *size,
                    ctr_error *err)
{
    char what[4200];
    snprintf(what, sizeof what, "'%s'", path);
    int fd = irs_open_regular(path, IRS_OPEN_NOFOLLOW, what, err);
    if (fd < 0)
        return -1;
    oci_sha256 *h = oci_sha256_new();
    char buf[1 << 16];
    ssize_t n = 0;
    uint64_t total = 0;
    while (h && (n = read(fd, buf, sizeof buf)) > 0) {
        oci_sha256_update(h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    int saved = errno;
    close(fd);
    int rc = !h    ? ctr_error_set(err, ENOMEM, "'%s'", path)
             : n < 0 ? ctr_error_set(err, saved, "reading '%s'", path)
                     : oci_sha256_final(h, digest, err);
    oci_sha256_free(h);
    if (size)
        *size = total;
    return rc;
}
