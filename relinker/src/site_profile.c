/* The site profile (see site_profile.h).
 *
 *   {"version": 1, "mode": "bundle",
 *    "blas": {"libraries": ["/opt/site/lib/libblas.so.3", ...], "integer": "lp64",
 *             "complex_return": "gnu"},
 *    "mpi":  {"libraries": ["/opt/cray/pe/lib64/libmpi_gnu_123.so.12",
 *                           "/opt/cray/pe/lib64/libmpifort_gnu_123.so.12"],
 *             "family": "mpich-abi"},
 *    "fftw": {"libraries": ["/opt/site/lib/libfftw3.so.3"]}}
 *   {"version": 1, "mode": "host", "cdi_spec": "/etc/cdi/comtainer-site.json", ...}
 */
#include "site_profile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The profile is a few lines; anything larger is not one. */
#define MAX_PROFILE_BYTES (1u << 20)

static const struct {
    const char *key;    /* the section */
    ctr_lib_class cls;
    const char *abi_key; /* its ABI field, or NULL */
    struct {
        const char *value;
        ctr_lib_abi abi;
    } abis[4];
} sections[] = {
    {"blas", CTR_LIB_BLAS, "integer", {{"lp64", CTR_ABI_LP64}, {"ilp64", CTR_ABI_ILP64}}},
    {"mpi", CTR_LIB_MPI, "family",
     {{"mpich-abi", CTR_ABI_MPICH}, {"openmpi", CTR_ABI_OPENMPI}, {"mpi-abi", CTR_ABI_MPI_ABI}}},
    {"fftw", CTR_LIB_FFTW, NULL, {{NULL, CTR_ABI_UNKNOWN}}},
};

/* The section's declared ABI into *abi. */
static int section_abi(const char *path, size_t s, json_t *sec, ctr_lib_abi *abi, ctr_error *err)
{
    *abi = CTR_ABI_UNKNOWN;
    const char *k = sections[s].abi_key;
    json_t *v = k ? json_object_get(sec, k) : NULL;
    if (!v)
        return 0;
    for (size_t i = 0; json_is_string(v) && i < 4 && sections[s].abis[i].value; i++)
        if (!strcmp(json_string_value(v), sections[s].abis[i].value)) {
            *abi = sections[s].abis[i].abi;
            return 0;
        }
    return ctr_error_code(err, CTR_E_INPUT, "'%s': %s.%s: not one of the known values", path,
                          sections[s].key, k);
}

/* blas.complex_return into *c. */
static int complex_return(const char *path, size_t s, json_t *sec, ctr_complex_ret *c,
                          ctr_error *err)
{
    json_t *v = json_object_get(sec, "complex_return");
    const char *w = json_string_value(v);
    *c = CTR_CRET_UNKNOWN;
    if (!v)
        return 0;
    if (sections[s].cls != CTR_LIB_BLAS)
        return ctr_error_code(err, CTR_E_INPUT, "'%s': %s: unknown field 'complex_return'",
                              path, sections[s].key);
    if (w && !strcmp(w, "gnu"))
        *c = CTR_CRET_GNU;
    else if (w && !strcmp(w, "f2c"))
        *c = CTR_CRET_F2C;
    else
        return ctr_error_code(err, CTR_E_INPUT, "'%s': blas.complex_return: \"gnu\" or \"f2c\" "
                                                "is needed", path);
    return 0;
}

static int read_section(const char *path, size_t s, json_t *sec, ctr_site_provider *out,
                        size_t *n, ctr_error *err)
{
    const char *key;
    json_t *v, *libs = json_object_get(sec, "libraries");
    json_object_foreach(sec, key, v) {
        if (strcmp(key, "libraries") && strcmp(key, "complex_return") &&
            (!sections[s].abi_key || strcmp(key, sections[s].abi_key)))
            return ctr_error_code(err, CTR_E_INPUT, "'%s': %s: unknown field '%.64s'", path,
                                  sections[s].key, key);
    }
    ctr_lib_abi abi;
    ctr_complex_ret cret;
    if (section_abi(path, s, sec, &abi, err) < 0 || complex_return(path, s, sec, &cret, err) < 0)
        return -1;
    if (!json_is_array(libs) || !json_array_size(libs))
        return ctr_error_code(err, CTR_E_INPUT, "'%s': %s.libraries: a list of paths is needed",
                              path, sections[s].key);
    size_t i;
    json_array_foreach(libs, i, v) {
        const char *p = json_string_value(v);
        if (!p || p[0] != '/' || strlen(p) >= sizeof out->path)
            return ctr_error_code(err, CTR_E_INPUT, "'%s': %s.libraries[%zu]: not an absolute "
                                                    "path", path, sections[s].key, i);
        if (*n == CTR_SITE_MAX_PROVIDERS)
            return ctr_error_code(err, CTR_E_LIMIT, "'%s': more than %d libraries", path,
                                  CTR_SITE_MAX_PROVIDERS);
        out[*n].cls = sections[s].cls;
        out[*n].abi = abi;
        out[*n].cret = cret;
        snprintf(out[*n].path, sizeof out[*n].path, "%s", p);
        ++*n;
    }
    return 0;
}

/* mode and cdi_spec. */
static int read_mode(const char *path, json_t *j, ctr_site_profile *out, ctr_error *err)
{
    json_t *mode = json_object_get(j, "mode"), *cdi = json_object_get(j, "cdi_spec");
    const char *m = mode ? json_string_value(mode) : "bundle", *c = json_string_value(cdi);
    if (m && !strcmp(m, "bundle"))
        out->mode = CTR_SITE_BUNDLE;
    else if (m && !strcmp(m, "host"))
        out->mode = CTR_SITE_HOST;
    else
        return ctr_error_code(err, CTR_E_INPUT, "'%s': mode: \"bundle\" or \"host\" is needed",
                              path);
    if (out->mode == CTR_SITE_BUNDLE && cdi)
        return ctr_error_code(err, CTR_E_INPUT, "'%s': cdi_spec: only for mode \"host\"", path);
    if (out->mode == CTR_SITE_HOST && (!c || c[0] != '/' || strlen(c) >= sizeof out->cdi_spec))
        return ctr_error_code(err, CTR_E_INPUT, "'%s': cdi_spec: mode \"host\" needs the "
                                                "absolute path of the CDI spec to write",
                              path);
    if (c)
        snprintf(out->cdi_spec, sizeof out->cdi_spec, "%s", c);
    return 0;
}

/* The top level: version, mode, the sections. */
static int read_top(const char *path, json_t *j, ctr_site_profile *out, ctr_error *err)
{
    json_t *version = json_object_get(j, "version"), *v;
    if (!json_is_integer(version))
        return ctr_error_code(err, CTR_E_INPUT, "'%s': version: a number is needed", path);
    if (json_integer_value(version) != CTR_SITE_PROFILE_VERSION)
        return ctr_error_code(err, CTR_E_UNSUPPORTED, "'%s': version %lld (this ctr-relink "
                                                      "reads version %d)", path,
                              (long long)json_integer_value(version), CTR_SITE_PROFILE_VERSION);
    if (read_mode(path, j, out, err) < 0)
        return -1;
    const char *key;
    json_object_foreach(j, key, v) {
        size_t s = 0;
        while (s < sizeof sections / sizeof *sections && strcmp(key, sections[s].key))
            s++;
        if (s < sizeof sections / sizeof *sections) {
            if (!json_is_object(v))
                return ctr_error_code(err, CTR_E_INPUT, "'%s': %s: an object is needed", path,
                                      key);
            if (read_section(path, s, v, out->lib, &out->n, err) < 0)
                return -1;
        } else if (strcmp(key, "version") && strcmp(key, "mode") && strcmp(key, "cdi_spec")) {
            return ctr_error_code(err, CTR_E_INPUT, "'%s': unknown field '%.64s'", path, key);
        }
    }
    return 0;
}

int ctr_site_profile_read(const char *path, ctr_site_profile *out, ctr_error *err)
{
    *out = (ctr_site_profile){0};
    FILE *f = fopen(path, "re");
    if (!f)
        return ctr_error_set(err, errno, "site profile '%s'", path);
    char *buf = malloc(MAX_PROFILE_BYTES + 1);
    size_t len = buf ? fread(buf, 1, MAX_PROFILE_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf)
        return ctr_error_set(err, ENOMEM, "site profile '%s'", path);
    if (len > MAX_PROFILE_BYTES) {
        free(buf);
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': larger than %u bytes", path,
                              MAX_PROFILE_BYTES);
    }
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    free(buf);
    if (!j)
        return ctr_error_code(err, CTR_E_INPUT, "'%s': line %d, column %d: %s", path, je.line,
                              je.column, je.text);
    int rc = json_is_object(j) ? read_top(path, j, out, err)
                               : ctr_error_code(err, CTR_E_INPUT, "'%s': not a JSON object",
                                                path);
    json_decref(j);
    return rc;
}
