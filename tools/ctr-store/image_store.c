/* The IR store inside an OCI image (any form ctr-relink reads): the image is
 * verified, and only the store's directory is unpacked, into a temporary
 * directory removed when ctr-store exits. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "comtainer/oci.h"

static struct ctr_image_info info;
static char temp_dir[PATH_MAX];

static void remove_temp_dir(void)
{
    if (*temp_dir)
        oci_remove_tree(temp_dir);
}

const struct ctr_image_info *ctr_image_info(void)
{
    return info.name ? &info : NULL;
}

const char *ctr_store_name(const irs_store *store)
{
    static char name[PATH_MAX + 64];
    if (!info.name)
        return irs_store_path(store);
    snprintf(name, sizeof name, "%s:" IRS_DEFAULT_STORE, info.name);
    return name;
}

/* Bytes of the store as one gzip'ed tar: what it costs in a compressed layer. */
static int store_compressed(const char *root, unsigned long long *bytes, irs_error *err)
{
    char gz[PATH_MAX + 16];
    oci_layer l;
    snprintf(gz, sizeof gz, "%s/store.tar.gz", temp_dir);
    if (oci_tree_layer_write(root, OCI_STORE_DIR, 0, gz, &l, err) < 0)
        return -1;
    *bytes = l.size;
    oci_layer_clear(&l);
    return remove(gz) == 0 ? 0 : irs_error_set(err, errno, "'%s'", gz);
}

static int unpack_store(const char *arg, char *store, size_t size, irs_error *err)
{
    oci_ref ref;
    oci_image *img = NULL;
    char scratch[PATH_MAX + 16], root[PATH_MAX + 16];
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof temp_dir, "%s/ctr-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(temp_dir)) {
        *temp_dir = '\0';
        return irs_error_set(err, errno, "temporary directory");
    }
    atexit(remove_temp_dir);
    snprintf(scratch, sizeof scratch, "%s/image", temp_dir);
    snprintf(root, sizeof root, "%s/rootfs", temp_dir);
    oci_apply_opts o = {.only = OCI_STORE_DIR};
    int rc = oci_ref_parse_input(arg, &ref, err);
    if (rc == 0 &&
        (oci_image_open(&ref, scratch, &img, err) < 0 || oci_image_verify(img, 0, err) < 0 ||
         mkdir(root, 0755) < 0 || oci_image_unpack(img, root, &o, err) < 0))
        rc = err->msg[0] ? -1 : irs_error_set(err, errno, "'%s'", root);
    for (size_t i = 0; rc == 0 && i < oci_image_layer_count(img); i++) {
        info.image_compressed_bytes += oci_image_layer(img, i)->size;
        info.image_bytes += oci_image_layer(img, i)->tar_size;
    }
    info.store_bytes = o.only_tar_bytes;
    snprintf(store, size, "%s/%s", root, OCI_STORE_DIR);
    struct stat st;
    if (rc == 0 && stat(store, &st) < 0)
        rc = irs_error_set(err, 0, "%s: no IR store (/%s) in the image", oci_image_name(img),
                           OCI_STORE_DIR);
    if (rc == 0)
        rc = store_compressed(root, &info.store_compressed_bytes, err);
    if (rc == 0 && !(info.name = strdup(arg)))
        rc = irs_error_set(err, ENOMEM, "%s", arg);
    oci_image_free(img);
    oci_ref_clear(&ref);
    oci_remove_tree(scratch); /* the image's own files are no longer needed */
    return rc;
}

int ctr_open_image_store(const char *arg, irs_store **out)
{
    char store[PATH_MAX + 64];
    irs_error err = {0};
    if (unpack_store(arg, store, sizeof store, &err) < 0 ||
        irs_store_open(store, IRS_OPEN_NOFOLLOW, out, &err) < 0) {
        ctr_err_obj(&err);
        return -1;
    }
    return 0;
}
