/* The IR store inside an OCI image (any form ctr-relink reads): the image is
 * verified while only the store's directory is unpacked, into a temporary
 * directory removed when ctr-store exits.  Messages name the image and the
 * path inside it, never the temporary copy. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "comtainer/files.h"
#include "cli.h"
#include "comtainer/oci.h"

/* One image per run (atexit has no argument to pass it through). */
static struct ctr_image_info info;
static char temp_dir[PATH_MAX], store_dir[PATH_MAX + 64];

static void remove_temp_dir(void)
{
    if (*temp_dir)
        ctr_tree_remove(temp_dir);
}

const struct ctr_image_info *ctr_image_info(void)
{
    return info.name ? &info : NULL;
}

/* "IMAGE:/var/lib/comtainer/store" (info.name is set). */
static const char *display_name(void)
{
    static char name[PATH_MAX + 64];
    snprintf(name, sizeof name, "%s:" IRS_DEFAULT_STORE, info.name);
    return name;
}

const char *ctr_store_name(const irs_store *store)
{
    return info.name ? display_name() : irs_store_path(store);
}

/* text into buf with every occurrence of from replaced by to. */
static const char *replace_all(const char *text, const char *from, const char *to, char *buf,
                               size_t size)
{
    size_t n = 0, flen = strlen(from);
    const char *p = text, *hit;
    while (flen && (hit = strstr(p, from)) && n < size) {
        n += (size_t)snprintf(buf + n, size - n, "%.*s%s", (int)(hit - p), p, to);
        p = hit + flen;
    }
    if (n < size)
        snprintf(buf + n, size - n, "%s", p);
    return buf;
}

const char *ctr_store_text(const char *text, char *buf, size_t size)
{
    return info.name ? replace_all(text, store_dir, display_name(), buf, size) : text;
}

/* Bytes of the store as one gzip'ed tar: what it costs in a compressed layer. */
int ctr_image_store_compressed(ctr_error *err)
{
    char gz[PATH_MAX + 16], root[PATH_MAX + 16];
    oci_layer l;
    if (!info.name)
        return 0;
    snprintf(gz, sizeof gz, "%s/store.tar.gz", temp_dir);
    snprintf(root, sizeof root, "%s/rootfs", temp_dir);
    if (oci_tree_layer_write(root, OCI_STORE_DIR, 0, gz, &l, err) < 0)
        return -1;
    info.store_compressed_bytes = l.size;
    oci_layer_clear(&l);
    return remove(gz) == 0 ? 0 : ctr_error_set(err, errno, "'%s'", gz);
}

static int make_temp_dir(ctr_error *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof temp_dir, "%s/ctr-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(temp_dir)) {
        *temp_dir = '\0';
        return ctr_error_set(err, errno, "temporary directory");
    }
    atexit(remove_temp_dir);
    return 0;
}

static int unpack_store(const char *arg, ctr_error *err)
{
    oci_ref ref;
    oci_image *img = NULL;
    char scratch[PATH_MAX + 16], root[PATH_MAX + 16];
    if (make_temp_dir(err) < 0)
        return -1;
    snprintf(scratch, sizeof scratch, "%s/image", temp_dir);
    snprintf(root, sizeof root, "%s/rootfs", temp_dir);
    oci_apply_opts o = {.only = OCI_STORE_DIR};
    int rc = oci_ref_parse_input(arg, &ref, err);
    if (rc == 0 && (oci_image_open(&ref, scratch, &img, err) < 0 || mkdir(root, 0755) < 0 ||
                    oci_image_unpack(img, root, &o, err) < 0))
        rc = err->msg[0] ? -1 : ctr_error_set(err, errno, "%s: temporary directory", arg);
    for (size_t i = 0; rc == 0 && i < oci_image_layer_count(img); i++) {
        info.image_compressed_bytes += oci_image_layer(img, i)->size;
        info.image_bytes += oci_image_layer(img, i)->tar_size;
    }
    info.store_bytes = o.only_tar_bytes;
    snprintf(store_dir, sizeof store_dir, "%s/%s", root, OCI_STORE_DIR);
    struct stat st;
    if (rc == 0 && stat(store_dir, &st) < 0)
        rc = ctr_error_set(err, 0, "%s: no IR store (%s) in the image", oci_image_name(img),
                           IRS_DEFAULT_STORE);
    if (rc == 0 && !(info.name = strdup(arg)))
        rc = ctr_error_set(err, ENOMEM, "%s", arg);
    oci_image_free(img);
    oci_ref_clear(&ref);
    ctr_tree_remove(scratch); /* the image's own files are no longer needed */
    return rc;
}

int ctr_open_image_store(const char *arg, irs_store **out, ctr_error *err)
{
    return unpack_store(arg, err) < 0 ? -1 : irs_store_open(store_dir, IRS_OPEN_NOFOLLOW, out, err);
}
