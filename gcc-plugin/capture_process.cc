// The GCC plugin's capture process (see plugin.cc): what the forked child
// does to GCC's state so that the rest of the compile streams slim LTO IR
// into the store and generates no code.

#include "gcc-plugin.h"
#include "plugin-version.h"

#include "tree.h"
#include "cgraph.h"
#include "context.h"
#include "diagnostic.h"
#include "dumpfile.h"
#include "langhooks.h"
#include "opts.h"
#include "output.h"
#include "target.h"
#include "gimple.h"
#include "lto-streamer.h"
#include "pass_manager.h"
#include "toplev.h"
#include "tree-pass.h"
#include "version.h"

#include "plugin_state.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace comtainer_gcc {

// ---- capture process ------------------------------------------------------

[[noreturn]] void capture_exit_error(const char *reason)
{
    cg_report_error(st.pipe_fd, reason);
    _exit(1);
}

void capture_begin_section(const char *name)
{
    if (!st.out_of_memory && lto_object_begin(st.obj, name) < 0)
        st.out_of_memory = true;
}

void capture_append_data(const void *data, size_t len, void *block)
{
    if (data && !st.out_of_memory && lto_object_append(st.obj, data, len) < 0)
        st.out_of_memory = true;
    free(block); // the hook owns the block (see langhooks.h)
}

void capture_end_section(void) {}

// Called right before streaming, after free-lang-data has given every
// function the compile's optimization and target nodes: drop the nodes that
// are only the compile's defaults, so that `gcc -flto -O3 -march=native`
// applies its own options to them.  Functions with their own
// __attribute__((optimize/target)) keep theirs.
void capture_lto_start(void)
{
    cgraph_node *node;
    FOR_EACH_FUNCTION (node) {
        tree decl = node->decl;
        if (DECL_FUNCTION_SPECIFIC_TARGET (decl) == target_option_default_node)
            DECL_FUNCTION_SPECIFIC_TARGET (decl) = NULL_TREE;
        if (DECL_FUNCTION_SPECIFIC_OPTIMIZATION (decl) == optimization_default_node)
            DECL_FUNCTION_SPECIFIC_OPTIMIZATION (decl) = NULL_TREE;
    }
    mark_phase (kSummaries);
    if (st.orig_lto_start)
        st.orig_lto_start ();
}

// Turn off every dump the user asked for: the compiler writes those files.
void capture_disable_dumps(void)
{
    gcc::dump_manager *dumps = g->get_dumps ();
    for (int phase = 0;; phase++) {
        dump_file_info *dfi = dumps->get_dump_file_info (phase);
        if (!dfi)
            break;
        dfi->pstate = 0;
        dfi->alt_state = 0;
    }
}

// GCC cannot optimize at link time what it streamed at -O0: without the
// early passes and IPA summaries of an optimizing compile, lto1 -O3 crashes
// in IPA-CP once the functions are unpinned.  A capture of an -O0 compile
// therefore streams as an -O2 compile would, exactly as the optimize
// attribute switches options (c-family's parse_optimize_options).
void capture_raise_optimization(void)
{
    if (optimize)
        return;
    const char *argv[] = {"cc1", "-O2", nullptr};
    cl_decoded_option *decoded = nullptr;
    unsigned int count = 0;
    decode_cmdline_options_to_array_default_mask (2, argv, &decoded, &count);
    decode_options (&global_options, &global_options_set, decoded, count,
                    UNKNOWN_LOCATION, global_dc, nullptr);
    free (decoded);
    targetm.override_options_after_change ();
    optimization_default_node = build_optimization_node (&global_options, &global_options_set);
    optimization_current_node = optimization_default_node;
}

// .gnu.lto_.opts lists the compile's options; -frandom-seed only names the
// random number whose traces the capture removes, so it goes too, or equal
// IR would be stored twice.
void capture_drop_seed_option(void)
{
    unsigned int j = 0;
    for (unsigned int i = 0; i < save_decoded_options_count; i++) {
        size_t idx = save_decoded_options[i].opt_index;
        if (idx != OPT_frandom_seed && idx != OPT_frandom_seed_)
            save_decoded_options[j++] = save_decoded_options[i];
    }
    save_decoded_options_count = j;
}

void capture_setup(int fd)
{
    st.mode = Mode::kCapture;
    st.pipe_fd = fd;
    if (cg_detach_outputs (fd, st.debug) < 0)
        capture_exit_error ("cannot redirect the capture process's output");
    alarm (kCaptureTimeoutSeconds);
    signal (SIGALRM, SIG_DFL);
    if (!(st.obj = lto_object_new ()))
        capture_exit_error ("out of memory");
    snprintf (st.seed_suffix, sizeof st.seed_suffix, "." HOST_WIDE_INT_PRINT_HEX_PURE,
              get_random_seed (false));

    quiet_flag = 1;
    capture_raise_optimization ();
    // Slim LTO streaming: both flags are needed, and no code generation.
    if (!flag_lto || !*flag_lto)
        flag_lto = "";
    flag_generate_lto = 1;
    flag_fat_lto_objects = 0;
    // symbol_table::compile sets up the streamer only for LTO compiles, and
    // it has already decided.
    lto_streamer_hooks_init ();
    // Early debug info was made without LTO in mind: streaming references to
    // it ICEs in dwarf2out_die_ref_for_decl.
    debug_info_level = DINFO_LEVEL_NONE;
    write_symbols = NO_DEBUG;
    capture_disable_dumps ();
    capture_drop_seed_option ();
    // GCC 12 (built with zstd) compresses every section, and lto1 expects
    // them compressed; level 0 would mean zstd's default (3).  The store
    // compresses the whole object again, so take zstd's fastest level.
    // (Either way it is ~1 % of the capture's time.)
    flag_lto_compression_level = 1;
    // The capture process lives for a moment and shares the compiler's
    // memory copy-on-write: a garbage collection would touch (and so copy)
    // the whole heap to free memory that _exit frees anyway.
    param_ggc_min_expand = 1 << 30;
    param_ggc_min_heapsize = 1 << 30;

    lang_hooks.lto.begin_section = capture_begin_section;
    lang_hooks.lto.append_data = capture_append_data;
    lang_hooks.lto.end_section = capture_end_section;
    st.orig_lto_start = targetm.asm_out.lto_start;
    targetm.asm_out.lto_start = capture_lto_start;
}

// Drop the debug expression of every variable in the block tree.
void drop_debug_exprs_in_blocks(tree block)
{
    for (; block; block = BLOCK_CHAIN (block)) {
        for (tree var = BLOCK_VARS (block); var; var = DECL_CHAIN (var))
            if (VAR_P (var))
                DECL_HAS_DEBUG_EXPR_P (var) = 0;
        drop_debug_exprs_in_blocks (BLOCK_SUBBLOCKS (block));
    }
}

// The early optimizations give the variables they create debug expressions
// naming what they replace: SRA's scalars name a field of the aggregate.
// The LTO streamer writes those expressions, but free_lang_data does not
// look into them, so when the aggregate itself is gone from the function
// they lead to front-end trees (C++ templates' TYPENAME_TYPE, ...) that
// cannot be streamed.  An LTO compile creates them after free_lang_data;
// the capture, which streams without debug info, drops them.
void capture_drop_debug_exprs(void)
{
    cgraph_node *node;
    FOR_EACH_FUNCTION_WITH_GIMPLE_BODY (node) {
        function *fn = DECL_STRUCT_FUNCTION (node->decl);
        unsigned ix;
        tree var;
        FOR_EACH_LOCAL_DECL (fn, ix, var)
            if (VAR_P (var))
                DECL_HAS_DEBUG_EXPR_P (var) = 0;
        if (DECL_INITIAL (node->decl) && TREE_CODE (DECL_INITIAL (node->decl)) == BLOCK)
            drop_debug_exprs_in_blocks (DECL_INITIAL (node->decl));
    }
}

// A capture process forked after the early optimizations runs what an LTO
// compile runs before them: free_lang_data (the first small IPA pass), which
// gives every declaration its assembler name and strips the front end's
// data from trees, so that they can be streamed.  It walks SSA bodies too
// (PHI arguments included).
void capture_free_lang_data(void)
{
    opt_pass *fld = g->get_passes ()->all_small_ipa_passes;
    if (!fld || !fld->name || strcmp (fld->name, "*free_lang_data") != 0)
        capture_exit_error ("GCC's first small IPA pass is not free_lang_data");
    capture_drop_debug_exprs ();
    fld->execute (nullptr);
}

[[noreturn]] void capture_finish(void)
{
    char errbuf[1024], id[IRS_HASH_HEX_LEN + 1];
    if (seen_error ())
        capture_exit_error ("the capture process's compile failed");
    if (st.out_of_memory)
        capture_exit_error ("out of memory collecting the IR");
    mark_phase (kStreaming);
    irs_record *rec = irs_record_new ();
    if (!rec)
        capture_exit_error ("out of memory");
    if (cg_sha256_load (errbuf, sizeof errbuf) < 0 ||
        cg_record_fill (rec, &st.compile, errbuf, sizeof errbuf) < 0 ||
        cg_store_tu (st.obj, st.seed_suffix, rec, id, errbuf, sizeof errbuf) < 0)
        capture_exit_error (errbuf);
    mark_phase (kStore);
    if (st.debug)
        print_capture_phases ();
    cg_report_ok (st.pipe_fd, id);
    _exit (0);
}

} // namespace comtainer_gcc
