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

#include "plugin_state.h"
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

namespace comtainer_gcc {

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
    c.undef_target_macros = &st.undef_target_macros;
}

// The assembler text that copies TU id's record and blob, as the capture
// process stored them, into the object.
static int carry_text(const char *id, char *buf, size_t size, ctr_error *err)
{
    irs_store *store = nullptr;
    irs_record *rec = nullptr;
    int rc = irs_store_open (nullptr, 0, &store, err);
    if (rc == 0)
        rc = irs_record_get (store, id, &rec, err);
    if (rc == 0)
        rc = irs_carry_asm (store, id, rec->ir, buf, size, err);
    irs_record_free (rec);
    irs_store_free (store);
    return rc;
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
    char text[512 + 3 * 4096];
    if (irs_section_asm (id, text, 512) < 0) {
        warn_not_captured ("cannot format the TU record");
        return;
    }
    // under a compile cache the object brings its IR along (irstore.h)
    if (irs_carry_wanted ()) {
        size_t used = strlen (text);
        ctr_error err = {};
        if (carry_text (id, text + used, sizeof text - used, &err) < 0) {
            warn_not_captured (err.msg);
            return;
        }
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

} // namespace comtainer_gcc

using namespace comtainer_gcc;

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
    // a configure or CMake probe: thrown away, never in an image
    char cwd[4096];
    if (irs_is_probe (st.source, getcwd (cwd, sizeof cwd) ? cwd : nullptr, asm_file_name))
        return 0;
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
    watch_target_macros ();
    return 0;
}
