/* ctr-store: inspect and check a comtainer IR store. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "comtainer/config.h"

const char *ctr_progname = "ctr-store";

static const struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"ls", cmd_ls, "list the TUs of a store"},
    {"show", cmd_show, "print one TU record"},
    {"which", cmd_which, "list the TUs an executable, library or object names"},
    {"verify", cmd_verify, "check every blob and record of a store"},
    {"stats", cmd_stats, "count TUs and bytes by language and compiler"},
    {"extract", cmd_extract, "write one TU's IR to a file"},
    {"prune", cmd_prune, "drop the TUs no binary of a root filesystem names"},
    {"harvest", cmd_harvest, "store the IR that objects built under a compile cache carry"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ctr-store [--version] [--help] COMMAND [ARGS]\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nThe store is STORE, --store DIR, $COMTAINER_STORE or %s, in that order.\n"
                 "'ctr-store COMMAND --help' describes a command.\n", IRS_DEFAULT_STORE);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CTR_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CTR_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("ctr-store %s (store format %d, record schema %d)\n", COMTAINER_VERSION,
               IRS_STORE_FORMAT_VERSION, IRS_RECORD_SCHEMA_VERSION);
        return CTR_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    ctr_err("'%s' is not a command; see 'ctr-store --help'", argv[1]);
    return CTR_EXIT_ERROR;
}
