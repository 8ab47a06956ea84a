/* Host mode of the site's libraries (see site_libs.h): the new image holds
 * no copy of them.  Its swapped binaries search CTR_SITE_DIR first, as in a
 * bundle, and the container runtime binds the host's files there, read-only,
 * from the CDI spec written here (the Container Device Interface, read by
 * podman, containerd and CRI-O).  The device's name comes from the hash of
 * what it binds, so specs written for other sets of libraries never clash;
 * the image's annotations name it and list the bindings. */
#include "site_libs.h"
#include "comtainer/files.h"
#include "comtainer/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CDI version of the spec: the oldest with everything it uses (mounts
 * with options), so that older runtimes read it too. */
#define CDI_VERSION "0.5.0"

int ctr_site_name_device(ctr_site *site, ctr_error *err)
{
    ctr_strbuf sb = CTR_STRBUF_INIT;
    for (size_t i = 0; i < site->nfiles; i++)
        ctr_sb_addf(&sb, "%s=%s\n", site->files[i].name, site->files[i].host);
    char hex[IRS_HASH_HEX_LEN + 1];
    int rc = ctr_sb_done(&sb, "site libraries", err);
    if (rc == 0)
        rc = irs_sha256_hex(sb.buf ? sb.buf : "", sb.len, hex, err);
    ctr_sb_release(&sb);
    if (rc < 0)
        return -1;
    snprintf(site->device, sizeof site->device, CTR_SITE_CDI_KIND "=libs-%.12s", hex);
    return 0;
}

json_t *ctr_site_bindings_json(const ctr_site *site)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < site->nfiles; i++) {
        char container[PATH_MAX];
        snprintf(container, sizeof container, CTR_SITE_DIR "/%s", site->files[i].name);
        if (json_array_append_new(a, json_pack("{s:s,s:s}", "container", container, "host",
                                               site->files[i].host)) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The spec: one device whose edits are the site's files, bound read-only. */
static json_t *cdi_spec(const ctr_site *site)
{
    json_t *mounts = json_array(), *bindings = ctr_site_bindings_json(site), *b;
    size_t i;
    json_array_foreach(bindings, i, b) {
        json_t *m = json_pack("{s:O,s:O,s:[ssss]}", "hostPath", json_object_get(b, "host"),
                              "containerPath", json_object_get(b, "container"), "options", "ro",
                              "nosuid", "nodev", "bind");
        if (!m || json_array_append_new(mounts, m) < 0) {
            json_decref(mounts);
            mounts = NULL;
            break;
        }
    }
    json_decref(bindings);
    const char *name = strchr(site->device, '=') + 1;
    return mounts ? json_pack("{s:s,s:s,s:[{s:s,s:{s:o}}]}", "cdiVersion", CDI_VERSION, "kind",
                              CTR_SITE_CDI_KIND, "devices", "name", name, "containerEdits",
                              "mounts", mounts)
                  : NULL;
}

int ctr_site_cdi_write(const ctr_site *site, ctr_error *err)
{
    json_t *spec = cdi_spec(site);
    char *text = spec ? json_dumps(spec, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(spec);
    if (!text)
        return ctr_error_set(err, ENOMEM, "the CDI spec");
    int rc = ctr_file_write(site->cdi_spec, text, strlen(text), 0644, CTR_WRITE_SYNC, err);
    free(text);
    return rc < 0 ? ctr_error_wrap(err, "the CDI spec") : 0;
}

json_t *ctr_site_host_json(const ctr_site *site)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "mode", "host", "cdi_spec", site->cdi_spec, "device",
                     site->device, "bindings", ctr_site_bindings_json(site));
}

void ctr_site_host_print(const ctr_site *site)
{
    printf("site libraries bound from the host: run with --device %s (CDI spec %s)\n",
           site->device, site->cdi_spec);
}
