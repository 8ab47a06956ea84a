/* The msgpack encoding of TU records (docs/STORE-FORMAT.md, "Records").
 *
 * One table lists every key with its type and place in irs_record; the encoder
 * walks it in order (so equal records give equal bytes and equal TU ids) and
 * the decoder looks keys up in it, ignoring keys it does not know. */
#include "irstore_private.h"

#include <errno.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum field_type { F_U32, F_U64, F_I32, F_BOOL, F_STR, F_HASH, F_STRV };

struct field {
    const char *key;
    enum field_type type;
    size_t offset;
    bool required;
};

#define FIELD(k, t, m, req) {k, t, offsetof(irs_record, m), req}
static const struct field fields[] = {
    FIELD("v", F_U32, version, true),
    FIELD("ir_kind", F_STR, ir_kind, true),
    FIELD("ir", F_HASH, ir, true),
    FIELD("ir_size", F_U64, ir_size, false),
    FIELD("producer", F_STR, producer, false),
    FIELD("compiler", F_STR, compiler, true),
    FIELD("compiler_version", F_STR, compiler_version, false),
    FIELD("compiler_path", F_STR, compiler_path, false),
    FIELD("language", F_STR, language, true),
    FIELD("source", F_STR, source, true),
    FIELD("cwd", F_STR, cwd, false),
    FIELD("output", F_STR, output, false),
    FIELD("driver_args", F_STRV, driver_args, false),
    FIELD("frontend_args", F_STRV, frontend_args, false),
    FIELD("triple", F_STR, triple, false),
    FIELD("target_cpu", F_STR, target_cpu, false),
    FIELD("tune_cpu", F_STR, tune_cpu, false),
    FIELD("target_features", F_STRV, target_features, false),
    FIELD("opt_level", F_I32, opt_level, false),
    FIELD("size_level", F_I32, size_level, false),
    FIELD("pic_level", F_I32, pic_level, false),
    FIELD("pie_level", F_I32, pie_level, false),
    FIELD("debug_info", F_BOOL, debug_info, false),
    FIELD("undef_target_macros", F_STRV, undef_target_macros, false),
};
#define NFIELDS (sizeof fields / sizeof *fields)

static void pack_string(msgpack_packer *pk, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s ? s : "", n);
}

int irs_record_encode(const irs_record *rec, char **buf, size_t *len, ctr_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, NFIELDS);
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct field *f = &fields[i];
        const char *p = (const char *)rec + f->offset;
        pack_string(&pk, f->key);
        switch (f->type) {
        case F_U32: msgpack_pack_uint32(&pk, *(const uint32_t *)p); break;
        case F_U64: msgpack_pack_uint64(&pk, *(const uint64_t *)p); break;
        case F_I32: msgpack_pack_int32(&pk, *(const int32_t *)p); break;
        case F_BOOL:
            if (*(const bool *)p)
                msgpack_pack_true(&pk);
            else
                msgpack_pack_false(&pk);
            break;
        case F_STR: pack_string(&pk, *(char *const *)p); break;
        case F_HASH: pack_string(&pk, p); break;
        case F_STRV: {
            const irs_strv *v = (const irs_strv *)p;
            msgpack_pack_array(&pk, v->n);
            for (size_t j = 0; j < v->n; j++)
                pack_string(&pk, v->v[j]);
            break;
        }
        }
    }
    /* sbuffer reports allocation failure only by leaving data NULL */
    if (!sb.data) {
        msgpack_sbuffer_destroy(&sb);
        return ctr_error_set(err, ENOMEM, "encoding record");
    }
    *len = sb.size;
    *buf = msgpack_sbuffer_release(&sb);
    return 0;
}

int irs_record_id(const irs_record *rec, char id[IRS_HASH_HEX_LEN + 1], ctr_error *err)
{
    char *buf;
    size_t len;
    if (irs_record_encode(rec, &buf, &len, err) < 0)
        return -1;
    int rc = irs_sha256_hex(buf, len, id, err);
    free(buf);
    return rc;
}

/* Copy a msgpack string out, refusing embedded NULs and oversized values. */
static int take_string(const msgpack_object *o, char **out, const char *what,
                       const char *key, ctr_error *err)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return ctr_error_set(err, 0, "%s: key '%s' is not a string", what, key);
    uint32_t n = o->via.str.size;
    if (n > IRS_MAX_STRING_BYTES)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: key '%s' is too long", what, key);
    if (memchr(o->via.str.ptr, '\0', n))
        return ctr_error_set(err, 0, "%s: key '%s' contains a NUL byte", what, key);
    char *s = malloc(n + 1);
    if (!s)
        return ctr_error_set(err, ENOMEM, "%s", what);
    memcpy(s, o->via.str.ptr, n);
    s[n] = '\0';
    free(*out);
    *out = s;
    return 0;
}

static int take_int(const msgpack_object *o, int64_t lo, uint64_t hi, uint64_t *u,
                    int64_t *s, const char *what, const char *key, ctr_error *err)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= hi) {
        *u = o->via.u64;
        *s = (int64_t)o->via.u64;
        return 0;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && o->via.i64 >= lo) {
        *s = o->via.i64;
        *u = 0;
        return 0;
    }
    return ctr_error_set(err, 0, "%s: key '%s' is not an integer in range", what, key);
}

static int decode_field(const struct field *f, const msgpack_object *o, irs_record *rec,
                        const char *what, ctr_error *err)
{
    char *p = (char *)rec + f->offset;
    uint64_t u = 0;
    int64_t s = 0;
    switch (f->type) {
    case F_U32:
        if (take_int(o, 0, UINT32_MAX, &u, &s, what, f->key, err) < 0)
            return -1;
        *(uint32_t *)p = (uint32_t)u;
        return 0;
    case F_U64:
        if (take_int(o, 0, UINT64_MAX, &u, &s, what, f->key, err) < 0)
            return -1;
        *(uint64_t *)p = u;
        return 0;
    case F_I32:
        if (take_int(o, INT32_MIN, INT32_MAX, &u, &s, what, f->key, err) < 0)
            return -1;
        *(int32_t *)p = (int32_t)s;
        return 0;
    case F_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN)
            return ctr_error_set(err, 0, "%s: key '%s' is not a boolean", what, f->key);
        *(bool *)p = o->via.boolean;
        return 0;
    case F_STR:
        return take_string(o, (char **)p, what, f->key, err);
    case F_HASH: {
        char *h = NULL;
        if (take_string(o, &h, what, f->key, err) < 0)
            return -1;
        bool ok = irs_is_hash_hex(h);
        if (ok)
            memcpy(p, h, IRS_HASH_HEX_LEN + 1);
        free(h);
        return ok ? 0 : ctr_error_set(err, 0, "%s: key '%s' is not a sha256 address",
                                      what, f->key);
    }
    case F_STRV: {
        irs_strv *v = (irs_strv *)p;
        if (o->type != MSGPACK_OBJECT_ARRAY)
            return ctr_error_set(err, 0, "%s: key '%s' is not an array", what, f->key);
        if (o->via.array.size > IRS_MAX_STRV_ITEMS)
            return ctr_error_code(err, CTR_E_LIMIT, "%s: key '%s' has too many items", what,
                                  f->key);
        irs_strv_clear(v);
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            char *item = NULL;
            if (take_string(&o->via.array.ptr[i], &item, what, f->key, err) < 0)
                return -1;
            int rc = irs_strv_push(v, item);
            free(item);
            if (rc < 0)
                return ctr_error_set(err, ENOMEM, "%s", what);
        }
        return 0;
    }
    }
    return -1;
}

/* A big-endian unsigned integer of n (1, 2 or 4) bytes. */
static uint64_t be_read(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Before msgpack-c sees the bytes: every array and map must fit in what is
 * left of the buffer (each entry takes at least a byte).  msgpack-c
 * allocates a container's declared size before reading its entries, so a
 * 5-byte "array of 2^32 entries" made it ask for 64 GiB (found by
 * fuzz_record).  One pass, no recursion: `pending` counts the objects still
 * to come. */
static int bounded_msgpack(const unsigned char *p, size_t len, const char *what, ctr_error *err)
{
    uint64_t pending = 1;
    size_t off = 0;
#define NEED(n) \
    do { \
        if ((uint64_t)(n) > len - off) \
            return ctr_error_set(err, 0, "%s: not a msgpack record (truncated)", what); \
    } while (0)
#define BE(n) be_read(p + off, n)
    while (pending) {
        NEED(1);
        unsigned b = p[off++];
        pending--;
        uint64_t skip = 0, entries = 0;
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
            skip = 0;
        else if (b >= 0x80 && b <= 0x8f)
            entries = 2 * (uint64_t)(b & 0x0f);
        else if (b >= 0x90 && b <= 0x9f)
            entries = b & 0x0f;
        else if (b >= 0xa0 && b <= 0xbf)
            skip = b & 0x1f;
        else if (b == 0xc4 || b == 0xd9) {
            NEED(1);
            skip = 1 + BE(1);
        } else if (b == 0xc5 || b == 0xda) {
            NEED(2);
            skip = 2 + BE(2);
        } else if (b == 0xc6 || b == 0xdb) {
            NEED(4);
            skip = 4 + BE(4);
        } else if (b == 0xc7) {
            NEED(1);
            skip = 2 + BE(1);
        } else if (b == 0xc8) {
            NEED(2);
            skip = 3 + BE(2);
        } else if (b == 0xc9) {
            NEED(4);
            skip = 5 + BE(4);
        } else if (b == 0xca || b == 0xce || b == 0xd2)
            skip = 4;
        else if (b == 0xcb || b == 0xcf || b == 0xd3)
            skip = 8;
        else if (b == 0xcc || b == 0xd0)
            skip = 1;
        else if (b == 0xcd || b == 0xd1)
            skip = 2;
        else if (b >= 0xd4 && b <= 0xd8)
            skip = 1 + (1u << (b - 0xd4));
        else if (b == 0xdc || b == 0xde) {
            NEED(2);
            entries = BE(2) * (b == 0xde ? 2 : 1), skip = 2;
        } else if (b == 0xdd || b == 0xdf) {
            NEED(4);
            entries = BE(4) * (b == 0xdf ? 2 : 1), skip = 4;
        } else
            return ctr_error_set(err, 0, "%s: not a msgpack record (malformed)", what);
        NEED(skip);
        off += (size_t)skip;
        if (pending + entries > len - off)
            return ctr_error_set(err, 0, "%s: not a msgpack record (a container of %llu "
                                         "entries in %zu bytes)", what,
                                 (unsigned long long)entries, len - off);
        pending += entries;
    }
#undef NEED
#undef BE
    return 0;
}

int irs_record_decode(const void *buf, size_t len, const char *what, irs_record **out,
                      ctr_error *err)
{
    *out = NULL;
    if (bounded_msgpack(buf, len, what, err) < 0)
        return -1;
    if (len > IRS_MAX_RECORD_BYTES)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: record too large", what);
    irs_record *rec = irs_record_new();
    if (!rec)
        return ctr_error_set(err, ENOMEM, "%s", what);
    rec->version = 0;

    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = -1;
    bool seen[NFIELDS] = {false};
    msgpack_unpack_return ur = msgpack_unpack_next(&up, buf, len, &off);
    if (ur != MSGPACK_UNPACK_SUCCESS) {
        ctr_error_set(err, 0, "%s: not a msgpack record (%s)", what,
                      ur == MSGPACK_UNPACK_CONTINUE ? "truncated" : "malformed");
        goto out;
    }
    if (off != len) {
        ctr_error_set(err, 0, "%s: %zu trailing bytes after the record", what, len - off);
        goto out;
    }
    if (up.data.type != MSGPACK_OBJECT_MAP) {
        ctr_error_set(err, 0, "%s: record is not a map", what);
        goto out;
    }
    const msgpack_object_map *m = &up.data.via.map;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR)
            continue; /* not ours: ignore, like any unknown key */
        for (size_t j = 0; j < NFIELDS; j++) {
            if (strlen(fields[j].key) != k->via.str.size ||
                memcmp(fields[j].key, k->via.str.ptr, k->via.str.size) != 0)
                continue;
            if (seen[j]) {
                ctr_error_set(err, 0, "%s: key '%s' appears twice", what, fields[j].key);
                goto out;
            }
            seen[j] = true;
            if (decode_field(&fields[j], &m->ptr[i].val, rec, what, err) < 0)
                goto out;
            break;
        }
    }
    for (size_t j = 0; j < NFIELDS; j++) {
        if (fields[j].required && !seen[j]) {
            ctr_error_set(err, 0, "%s: required key '%s' is missing", what, fields[j].key);
            goto out;
        }
    }
    if (rec->version < 1) {
        ctr_error_set(err, 0, "%s: bad schema version %u", what, rec->version);
        goto out;
    }
    /* Optional strings read back as "" rather than NULL. */
    for (size_t j = 0; j < NFIELDS; j++) {
        char **s = (char **)((char *)rec + fields[j].offset);
        if (fields[j].type == F_STR && !*s && irs_record_set(s, "") < 0) {
            ctr_error_set(err, ENOMEM, "%s", what);
            goto out;
        }
    }
    *out = rec;
    rec = NULL;
    rc = 0;
out:
    msgpack_unpacked_destroy(&up);
    irs_record_free(rec);
    return rc;
}
