/* Strings from an image's ELF files that may reach a native link (see
 * link_policy.h). */
#include "link_policy.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Longest file name the kernel takes (NAME_MAX). */
#define MAX_FILE_NAME 255

bool ctr_is_file_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_FILE_NAME || s[0] == '-' || s[0] == '.')
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~@-") == n;
}

/* A path component: printable ASCII, none of the characters a driver, a
 * shell or a linker script might treat specially, not '.' or '..'. */
static bool clean_component(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || strchr(",\\'\"`;", c))
            return false;
    }
    return true;
}

/* The components of s, which starts with '/' (or is "" after a token);
 * with dotdot, '..' components are allowed ($ORIGIN/../lib). */
static bool clean_components(const char *s, bool dotdot)
{
    while (*s == '/') {
        const char *start = s + 1, *end = strchr(start, '/');
        size_t n = end ? (size_t)(end - start) : strlen(start);
        if (!clean_component(start, n) && !(dotdot && n == 2 && !strncmp(start, "..", 2)))
            return false;
        s = start + n;
    }
    return *s == '\0';
}

bool ctr_is_clean_path(const char *s)
{
    return s[0] == '/' && strlen(s) < PATH_MAX && clean_components(s, false);
}

bool ctr_is_runpath_entry(const char *s)
{
    static const char *const tokens[] = {"$ORIGIN", "${ORIGIN}", "$LIB", "${LIB}",
                                         "$PLATFORM", "${PLATFORM}"};
    if (strlen(s) >= PATH_MAX)
        return false;
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
        size_t n = strlen(tokens[i]);
        if (!strncmp(s, tokens[i], n) && (s[n] == '\0' || s[n] == '/'))
            return s[n] == '\0' || clean_components(s + n, true);
    }
    return ctr_is_clean_path(s);
}

/* s for a message: printable ASCII as it is, other bytes as \xNN, cut at
 * about 80 characters. */
static const char *shown(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 8 < size; p++) {
        if (k > 80) {
            memcpy(out + k, "...", 3);
            k += 3;
            break;
        }
        if (*p >= ' ' && *p < 0x7f && *p != '\\')
            out[k++] = (char)*p;
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", *p);
    }
    out[k] = '\0';
    return out;
}

static int refuse(ctr_error *err, const char *field, const char *value, const char *want)
{
    char v[128];
    return ctr_error_set(err, 0, "%s '%s' is not %s: not relinked", field,
                         shown(value, v, sizeof v), want);
}

int ctr_link_strings_check(const ctr_binary *b, ctr_error *err)
{
    const ctr_elf_link *l = b->link;
    if (*l->soname && !ctr_is_file_name(l->soname))
        return refuse(err, "DT_SONAME", l->soname, "a file name");
    if (*l->interp && !ctr_is_clean_path(l->interp))
        return refuse(err, "PT_INTERP", l->interp, "a clean absolute path");
    for (size_t i = 0; i < l->runpath.n; i++)
        if (!ctr_is_runpath_entry(l->runpath.v[i]))
            return refuse(err, l->rpath ? "DT_RPATH entry" : "DT_RUNPATH entry",
                          l->runpath.v[i], "a clean absolute path or $ORIGIN path");
    for (size_t i = 0; i < l->needed.n; i++) {
        const char *name = l->needed.v[i];
        if (strchr(name, '/') ? !ctr_is_clean_path(name) : !ctr_is_file_name(name))
            return refuse(err, "DT_NEEDED", name, "a file name or a clean absolute path");
        if (b->needed[i].found && !ctr_is_clean_path(b->needed[i].found))
            return refuse(err, "the library found for DT_NEEDED", b->needed[i].found,
                          "a clean absolute path");
    }
    return 0;
}
