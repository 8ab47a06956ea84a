/* Image references as skopeo spells them (oci:, oci-archive:,
 * docker-archive:) or bare: a directory with an oci-layout file is an OCI
 * layout, a regular file a tar archive, any other directory a root
 * filesystem.  A ":TAG" suffix is split off only when what precedes it exists
 * (inputs) or when it holds no '/' (outputs), so paths with ':' still work. */
#include "comtainer/oci.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_layout_dir(const char *path)
{
    char f[PATH_MAX];
    struct stat st;
    return snprintf(f, sizeof f, "%s/oci-layout", path) < (int)sizeof f && stat(f, &st) == 0 &&
           S_ISREG(st.st_mode);
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int set_ref(oci_ref *ref, enum oci_ref_kind kind, const char *path, size_t pathlen,
                   const char *tag, ctr_error *err)
{
    ref->kind = kind;
    ref->path = strndup(path, pathlen);
    ref->tag = tag ? strdup(tag) : NULL;
    if (!ref->path || (tag && !ref->tag)) {
        oci_ref_clear(ref);
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    if (!pathlen || (tag && !*tag)) {
        oci_ref_clear(ref);
        return ctr_error_set(err, 0, "'%s': empty path or tag", path);
    }
    return 0;
}

/* kind LAYOUT or ARCHIVE named explicitly by a prefix: PATH or PATH:TAG. */
static int parse_prefixed(const char *rest, enum oci_ref_kind kind, bool tag_allowed,
                          oci_ref *ref, ctr_error *err)
{
    bool exists = kind == OCI_REF_LAYOUT ? is_layout_dir(rest) : is_regular(rest);
    const char *colon = strrchr(rest, ':');
    if (exists || !colon || !tag_allowed)
        return set_ref(ref, kind, rest, strlen(rest), NULL, err);
    return set_ref(ref, kind, rest, (size_t)(colon - rest), colon + 1, err);
}

int oci_ref_parse_input(const char *arg, oci_ref *ref, ctr_error *err)
{
    *ref = (oci_ref){0};
    if (!strncmp(arg, "oci:", 4))
        return parse_prefixed(arg + 4, OCI_REF_LAYOUT, true, ref, err);
    if (!strncmp(arg, "oci-archive:", 12))
        return parse_prefixed(arg + 12, OCI_REF_ARCHIVE, true, ref, err);
    if (!strncmp(arg, "docker-archive:", 15))
        return parse_prefixed(arg + 15, OCI_REF_ARCHIVE, false, ref, err);
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return set_ref(ref, is_layout_dir(arg) ? OCI_REF_LAYOUT : OCI_REF_ROOTFS, arg,
                       strlen(arg), NULL, err);
    if (stat(arg, &st) == 0 && S_ISREG(st.st_mode))
        return set_ref(ref, OCI_REF_ARCHIVE, arg, strlen(arg), NULL, err);
    const char *colon = strrchr(arg, ':');
    if (colon) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%.*s", (int)(colon - arg), arg);
        if (is_layout_dir(path))
            return set_ref(ref, OCI_REF_LAYOUT, path, strlen(path), colon + 1, err);
        if (is_regular(path))
            return set_ref(ref, OCI_REF_ARCHIVE, path, strlen(path), colon + 1, err);
    }
    return ctr_error_set(err, ENOENT, "'%s': not an image, archive or directory", arg);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && !memcmp(s + len - n, suffix, n);
}

int oci_ref_parse_output(const char *arg, oci_ref *ref, ctr_error *err)
{
    *ref = (oci_ref){0};
    enum oci_ref_kind forced = OCI_REF_ROOTFS; /* none */
    if (!strncmp(arg, "oci:", 4))
        forced = OCI_REF_LAYOUT, arg += 4;
    else if (!strncmp(arg, "oci-archive:", 12))
        forced = OCI_REF_ARCHIVE, arg += 12;
    /* a tag holds no '/': "a:b/c" is a path with a colon */
    const char *colon = strrchr(arg, ':');
    size_t pathlen = colon && !strchr(colon, '/') ? (size_t)(colon - arg) : strlen(arg);
    const char *tag = pathlen < strlen(arg) ? arg + pathlen + 1 : NULL;
    enum oci_ref_kind kind = forced != OCI_REF_ROOTFS   ? forced
                             : ends_with(arg, pathlen, ".tar") ? OCI_REF_ARCHIVE
                                                               : OCI_REF_LAYOUT;
    return set_ref(ref, kind, arg, pathlen, tag, err);
}

bool oci_ref_is_image(const char *arg)
{
    oci_ref ref;
    if (oci_ref_parse_input(arg, &ref, NULL) < 0)
        return false;
    bool image = ref.kind != OCI_REF_ROOTFS;
    oci_ref_clear(&ref);
    return image;
}

void oci_ref_clear(oci_ref *ref)
{
    if (!ref)
        return;
    free(ref->path);
    free(ref->tag);
    *ref = (oci_ref){0};
}
