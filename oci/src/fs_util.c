/* Paths of an image: names inside a layer, blobs of a layout. */
#include "image_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

const char *oci_clean_relative(const char *path)
{
    if (path[0] == '/')
        return NULL;
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    if (!strcmp(path, "."))
        return "";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return NULL;
        p += len;
        while (*p == '/')
            p++;
    }
    return path;
}

int oci_blob_path(const char *dir, const char *digest, char *buf, size_t size)
{
    if (!oci_digest_valid(digest))
        return -1;
    int n = snprintf(buf, size, "%s/blobs/sha256/%s", dir, digest + 7);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
