/* The work directory (see work_dir.h). */
#include "work_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ctr_built_dirs[] = {
    "cc", "part", "bin", "cc-r1", "part-r1", "bin-r1", "cc-r2", "part-r2", "bin-r2",
    "cc-r3", "part-r3", "bin-r3", "cc-r4", "part-r4", "bin-r4", "cc-r5", "part-r5", "bin-r5",
    "cc-x", "part-x", "bin-x", "cc-train", "part-train", "bin-train", "state", "tmp", NULL,
};

int ctr_work_dir_absolute(const char *work, char *buf, size_t size, ctr_error *err)
{
    char cwd[PATH_MAX];
    if (work[0] == '/') {
        if ((size_t)snprintf(buf, size, "%s", work) >= size)
            return ctr_error_set(err, ENAMETOOLONG, "work directory '%s'", work);
        return 0;
    }
    if (!getcwd(cwd, sizeof cwd))
        return ctr_error_set(err, errno, "current directory");
    if ((size_t)snprintf(buf, size, "%s/%s", cwd, work) >= size)
        return ctr_error_set(err, ENAMETOOLONG, "work directory '%s'", work);
    return 0;
}

static int make_dir(const char *work, const char *name, ctr_error *err)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s%s%s", work, *name ? "/" : "", name) >=
        sizeof path)
        return ctr_error_set(err, ENAMETOOLONG, "work directory '%s'", work);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return ctr_error_set(err, errno, "work directory '%s'", path);
    return 0;
}

int ctr_work_dir_prepare(const char *work, ctr_error *err)
{
    static const char *const ours[] = {"", "tu", "tu-generic", "tu-nofma", "obj", "rec", "exp",
                                       NULL};
    for (size_t i = 0; ours[i]; i++)
        if (make_dir(work, ours[i], err) < 0)
            return -1;
    for (size_t i = 0; ctr_built_dirs[i]; i++)
        if (make_dir(work, ctr_built_dirs[i], err) < 0)
            return -1;
    /* the sandbox's uid reads the inputs: it may pass through, not list */
    struct stat st;
    if (stat(work, &st) < 0 || chmod(work, (st.st_mode & 07777) | 0111) < 0)
        return ctr_error_set(err, errno, "work directory '%s'", work);
    return 0;
}
