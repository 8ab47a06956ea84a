// comtainer's GCC 12 plugin: capture each translation unit's GIMPLE as a slim
// LTO object in the comtainer store, without changing what GCC writes.
//
// The compiler forks once its small IPA passes (the early optimizations)
// are done, or at PLUGIN_ALL_IPA_PASSES_START when the compile runs no early
// optimizations (-O0, -Og).  The compiler goes on untouched; the capture
// process (the child) turns on slim LTO streaming, turns debug info off,
// sends all its output to /dev/null, frees the front end's data as an LTO
// compile does, collects the LTO sections through lang_hooks.lto, unpins
// functions from the compile's -O and -march, stores object and record,
// reports the TU id through a pipe and _exit()s before any code generation.
// The compiler collects the report as late as it can and writes the TU
// record into the `.comtainer` section of its own output (raw assembler text, or a top-level asm node when the user
// builds with -flto, so that the record survives link-time optimization).
//
// Everything that needs no GCC header lives in capture.c and lto_object.c.

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

#include "capture.h"
#include "comtainer/config.h"
#include "comtainer/strict.h"

#include <csignal>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((visibility("default"))) int plugin_is_GPL_compatible;

namespace {

// A capture process that outlives this bound is stuck: its compile is long
// over.  The compiler then reports it as not captured.
constexpr unsigned kCaptureTimeoutSeconds = 1800;

enum class Mode { kOff, kCompiler, kCapture };

// Where the compiler forks the capture process (see fork_point_for_compile).
enum class ForkPoint { kUndecided, kIpaStart, kAfterEarlyPasses };

// The capture process's phases, in order: setup (with free_lang_data when
// forked after the early optimizations), GCC's IPA passes up to streaming
// (the small ones too when forked at IPA start), streaming, storing.
enum CapturePhase { kSetup, kSummaries, kStreaming, kStore, kPhaseCount };

struct State {
    Mode mode = Mode::kOff;
    ForkPoint fork_point = ForkPoint::kUndecided;
    bool strict = false;
    bool debug = false;        // COMTAINER_DEBUG: keep the capture's stderr
    const char *source = "";
    // compiler side
    pid_t child = -1;
    int report_fd = -1;
    bool user_lto = false;     // the user's own compile streams LTO
    bool collected = false;
    double fork_time = 0;      // seconds, CLOCK_MONOTONIC
    void (*orig_lto_start)(void) = nullptr;
    // capture side
    int pipe_fd = -1;
    lto_object *obj = nullptr;
    bool out_of_memory = false;
    char seed_suffix[32] = "";
    cg_compile compile = {};
    char compiler_version[256] = "";
    const char *configure_args = "";
    // COMTAINER_DEBUG: the capture process's CPU time (s) at the end of
    // each phase, since the fork
    double cpu_mark[kPhaseCount] = {};
};

State st;

double clock_seconds(clockid_t clock)
{
    timespec ts;
    clock_gettime (clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double now(void)
{
    return clock_seconds (CLOCK_MONOTONIC);
}

// ---- COMTAINER_DEBUG -----------------------------------------------------------

void mark_phase(CapturePhase phase)
{
    st.cpu_mark[phase] = clock_seconds (CLOCK_PROCESS_CPUTIME_ID);
}

// COMTAINER_DEBUG=1: where the capture process spent its CPU time.
void print_capture_phases(void)
{
    static const char *const names[kPhaseCount] = {"setup", "IPA passes and summaries",
                                                   "streaming", "store"};
    fprintf (stderr, "comtainer: debug: '%s': capture process CPU ms:", st.source);
    // a forked process starts with no CPU time
    for (int i = 0; i < kPhaseCount; i++)
        fprintf (stderr, "%s %s %.1f", i ? "," : "", names[i],
                 (st.cpu_mark[i] - (i ? st.cpu_mark[i - 1] : 0)) * 1e3);
    fputc ('\n', stderr);
}

void warn_not_captured(const char *reason)
{
    fprintf(stderr, "comtainer: %s: IR not captured for '%s': %s\n",
            st.strict ? "error" : "warning", st.source, reason);
    // COMTAINER_STRICT makes the compile fail without a second message.
    if (st.strict)
        ++diagnostic_kind_count(global_dc, DK_ERROR);
}

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

// ---- compiler ---------------------------------------------------------------

void snapshot_compile(void)
{
    cg_compile &c = st.compile;
    c.lang_name = lang_hooks.name;
    c.source = st.source;
    c.compiler_version = st.compiler_version;
    c.configure_args = st.configure_args;
#if defined(__x86_64__) || defined(__i386__)
    c.target_cpu = ix86_arch_string ? ix86_arch_string : "";
    c.tune_cpu = ix86_tune_string ? ix86_tune_string : "";
#else
    c.target_cpu = "";
    c.tune_cpu = "";
#endif
    c.driver_pid = getppid ();
    c.opt_level = optimize;
    c.size_level = optimize_size;
    c.pic_level = flag_pic;
    c.pie_level = flag_pie;
    c.debug_info = debug_info_level > DINFO_LEVEL_NONE;
}

// Wait for the report and put the TU record into the output.
void collect(bool as_toplevel_asm)
{
    if (st.collected || st.child < 0)
        return;
    st.collected = true;
    char id[IRS_HASH_HEX_LEN + 1], reason[1024];
    double start = now (), cpu = 0;
    int rc = cg_report_collect (st.report_fd, st.child, id, reason, sizeof reason, &cpu);
    // COMTAINER_DEBUG=1: what the capture cost, and how much of it
    // overlapped the compile
    if (st.debug)
        fprintf (stderr, "comtainer: debug: '%s': capture process forked %s, %.1f ms CPU, "
                 "collected %.1f ms after the fork, compiler waited %.1f ms\n", st.source,
                 st.fork_point == ForkPoint::kAfterEarlyPasses ? "after the early optimizations"
                                                              : "at IPA start",
                 cpu * 1e3, (now () - st.fork_time) * 1e3, (now () - start) * 1e3);
    if (rc < 0) {
        warn_not_captured (reason);
        return;
    }
    char text[512];
    if (irs_section_asm (id, text, sizeof text) < 0) {
        warn_not_captured ("cannot format the TU record");
        return;
    }
    if (as_toplevel_asm)
        symtab->finalize_toplevel_asm (build_string (strlen (text), text));
    else if (asm_out_file)
        fputs (text, asm_out_file);
}

// The user's -flto compile streams its own IR right after this hook: the
// record must be a top-level asm node by then to be part of that IR.
void compiler_lto_start(void)
{
    if (st.mode == Mode::kCompiler && st.user_lto)
        collect (true);
    if (st.orig_lto_start)
        st.orig_lto_start ();
}

// GCC streams LTO IR after the early optimizations: forking once they are
// done spares the capture process running them a second time.  A compile
// that runs none (-O0, -Og) forks before them instead, so that the capture
// process can run them at -O2 (see capture_raise_optimization).
ForkPoint fork_point_for_compile(void)
{
    return optimize && !optimize_debug ? ForkPoint::kAfterEarlyPasses : ForkPoint::kIpaStart;
}

// Fork the capture process.  In the compiler, set up collecting its report;
// in the capture process, set up LTO streaming and return: GCC's own IPA
// code then streams the IR.
void fork_capture(void)
{
    st.source = main_input_filename ? main_input_filename : "";
    snapshot_compile ();
    int fds[2];
    if (pipe2 (fds, O_CLOEXEC) < 0) {
        warn_not_captured ("cannot create a pipe");
        return;
    }
    st.fork_time = now ();
    pid_t pid = fork ();
    if (pid < 0) {
        close (fds[0]);
        close (fds[1]);
        warn_not_captured ("cannot fork the capture process");
        return;
    }
    if (pid == 0) {
        close (fds[0]);
        // A compile that streams LTO or offload IR itself has already
        // freed the front end's data, before its early optimizations.
        bool lang_data_freed = flag_generate_lto || flag_generate_offload;
        capture_setup (fds[1]);
        if (st.fork_point == ForkPoint::kAfterEarlyPasses && !lang_data_freed)
            capture_free_lang_data ();
        mark_phase (kSetup);
        return; // the compile goes on, now streaming LTO
    }
    close (fds[1]);
    st.mode = Mode::kCompiler;
    st.child = pid;
    st.report_fd = fds[0];
    st.user_lto = flag_generate_lto;
    if (st.user_lto) {
        st.orig_lto_start = targetm.asm_out.lto_start;
        targetm.asm_out.lto_start = compiler_lto_start;
    }
}

void on_all_ipa_passes_start(void *, void *)
{
    if (st.mode != Mode::kOff || in_lto_p || seen_error ())
        return;
    st.fork_point = fork_point_for_compile ();
    if (st.fork_point == ForkPoint::kIpaStart)
        fork_capture ();
}

// A pass of its own after the last small IPA pass: the fork point after the
// early optimizations, before IPA summaries and LTO streaming.  It has no
// dump file (see register_capture_pass) and leaves the garbage collector
// alone, so that the compile goes on exactly as without it.
const pass_data capture_pass_data = {
    SIMPLE_IPA_PASS,         // type
    "*comtainer_capture",    // name
    OPTGROUP_NONE,           // optinfo_flags
    TV_NONE,                 // tv_id
    0,                       // properties_required
    0,                       // properties_provided
    0,                       // properties_destroyed
    0,                       // todo_flags_start
    TODO_do_not_ggc_collect, // todo_flags_finish
};

class CapturePass : public simple_ipa_opt_pass {
public:
    explicit CapturePass(gcc::context *ctxt) : simple_ipa_opt_pass (capture_pass_data, ctxt) {}

    // cc1 has libstdc++ linked in statically: with allocation functions of
    // its own, the plugin does not make every compile load libstdc++.so.
    static void *operator new(size_t size) { return xmalloc (size); }
    static void operator delete(void *p) { free (p); }

    bool gate(function *) final override
    {
        return st.mode == Mode::kOff && st.fork_point == ForkPoint::kAfterEarlyPasses &&
               !in_lto_p && !seen_error ();
    }

    unsigned int execute(function *) final override
    {
        fork_capture ();
        return 0;
    }
};

// Insert the capture pass after the last pass of all_small_ipa_passes
// (instance 1, its only one: for "every instance", GCC 12 clones the new
// pass, which this one does not support).
void register_capture_pass(const char *plugin_name)
{
    opt_pass *last = g->get_passes ()->all_small_ipa_passes;
    while (last->next)
        last = last->next;
    static register_pass_info info;
    info.pass = new CapturePass (g);
    info.reference_pass_name = last->name;
    info.ref_pass_instance_number = 1;
    info.pos_op = PASS_POS_INSERT_AFTER;
    register_callback (plugin_name, PLUGIN_PASS_MANAGER_SETUP, nullptr, &info);
    // GCC gives a plugin's pass a dump file whatever its name: without a
    // pass number it has none, and -fdump-ipa-all writes what it would
    // without the plugin.
    info.pass->static_pass_number = -1;
}

void on_all_ipa_passes_end(void *, void *)
{
    if (st.mode == Mode::kCapture)
        capture_finish ();
}

void on_finish_unit(void *, void *)
{
    if (st.mode == Mode::kCapture)
        capture_exit_error ("GCC did not run the IPA passes");
    if (st.mode == Mode::kCompiler)
        collect (false);
}

void on_finish(void *, void *)
{
    if (st.mode == Mode::kCapture)
        capture_exit_error ("GCC did not run the IPA passes");
    if (st.mode != Mode::kCompiler || st.collected)
        return;
    // The compile stopped early (an error): the capture is moot.
    if (seen_error ()) {
        kill (st.child, SIGKILL);
        st.collected = true;
        close (st.report_fd);
        waitpid (st.child, nullptr, 0);
        return;
    }
    collect (false); // reaps it; the record can no longer go anywhere
}

// GCC copies its command line into what it writes: DW_AT_producer with -g,
// .GCC.command.line with -frecord-gcc-switches, .gnu.lto_.opts with -flto.
// Take this plugin's own options out of that copy, so that the output is
// the same as without the plugin.
bool is_own_plugin_option(const cl_decoded_option &o, const plugin_name_args *info)
{
    if (!o.arg)
        return false;
    if (o.opt_index == OPT_fplugin_) {
        if (strcmp (o.arg, info->full_name) == 0 || strcmp (o.arg, info->base_name) == 0)
            return true;
        // -fplugin=NAME that cc1 resolved to PLUGINDIR/NAME.so
        const char *slash = strrchr (info->full_name, '/');
        const char *base = slash ? slash + 1 : info->full_name;
        size_t n = strlen (o.arg);
        return strncmp (base, o.arg, n) == 0 && strcmp (base + n, ".so") == 0;
    }
    if (o.opt_index == OPT_fplugin_arg_) {
        size_t n = strlen (info->base_name);
        return strncmp (o.arg, info->base_name, n) == 0 && o.arg[n] == '-';
    }
    return false;
}

void hide_own_options(const plugin_name_args *info)
{
    unsigned int j = 0;
    bool other_plugins = false;
    for (unsigned int i = 0; i < save_decoded_options_count; i++) {
        const cl_decoded_option &o = save_decoded_options[i];
        if (is_own_plugin_option (o, info))
            continue;
        other_plugins |= o.opt_index == OPT_fplugin_;
        save_decoded_options[j++] = o;
    }
    save_decoded_options_count = j;
    // The driver adds -iplugindir= whenever -fplugin is given.
    if (other_plugins)
        return;
    j = 0;
    for (unsigned int i = 0; i < save_decoded_options_count; i++)
        if (save_decoded_options[i].opt_index != OPT_iplugindir_)
            save_decoded_options[j++] = save_decoded_options[i];
    save_decoded_options_count = j;
}

bool env_flag(const char *name)
{
    const char *v = getenv (name);
    return v && *v && strcmp (v, "0") != 0;
}

} // namespace

__attribute__((visibility("default"))) int
plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *version)
{
    hide_own_options (info);
    st.strict = ctr_strict ();
    st.debug = env_flag ("COMTAINER_DEBUG");
    st.source = main_input_filename ? main_input_filename : "";
    // GIMPLE and the plugin ABI are tied to the exact GCC build.  A mismatch
    // must not break the build: say so once and capture nothing.
    if (!plugin_default_version_check (version, &gcc_version)) {
        char reason[512];
        snprintf (reason, sizeof reason, "plugin built for GCC %s, compiler is GCC %s",
                  gcc_version.basever, version->basever);
        warn_not_captured (reason);
        return 0;
    }
    snprintf (st.compiler_version, sizeof st.compiler_version, "%s %s",
              version->basever, pkgversion_string);
    // pkgversion_string ends in a space
    size_t n = strlen (st.compiler_version);
    while (n && st.compiler_version[n - 1] == ' ')
        st.compiler_version[--n] = '\0';
    st.configure_args = version->configuration_arguments;

    static struct plugin_info plugin_info = {COMTAINER_VERSION,
                                             "capture GIMPLE into the comtainer IR store"};
    const char *name = info->base_name;
    register_callback (name, PLUGIN_INFO, nullptr, &plugin_info);
    register_callback (name, PLUGIN_ALL_IPA_PASSES_START, on_all_ipa_passes_start, nullptr);
    register_capture_pass (name);
    register_callback (name, PLUGIN_ALL_IPA_PASSES_END, on_all_ipa_passes_end, nullptr);
    register_callback (name, PLUGIN_FINISH_UNIT, on_finish_unit, nullptr);
    register_callback (name, PLUGIN_FINISH, on_finish, nullptr);
    return 0;
}
