// The GCC plugin's shared state and the seam between its two sides: the
// compiler (plugin.cc) and the capture process it forks (capture_process.cc).
// Include after GCC's headers.
#ifndef COMTAINER_GCC_PLUGIN_STATE_H
#define COMTAINER_GCC_PLUGIN_STATE_H

#include "capture.h"

#include <sys/types.h>
#include <ctime>

namespace comtainer_gcc {

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
    // target-feature macros tested while undefined (target_macros.cc)
    irs_strv undef_target_macros = {};
    // COMTAINER_DEBUG: the capture process's CPU time (s) at the end of
    // each phase, since the fork
    double cpu_mark[kPhaseCount] = {};
};

extern State st;

double now(void);
// COMTAINER_DEBUG: the end of a capture phase, and the phases' CPU times.
void mark_phase(CapturePhase phase);
void print_capture_phases(void);

// Watch the C family's preprocessor for tests of undefined target-feature
// macros, into st.undef_target_macros (target_macros.cc).
void watch_target_macros(void);

// ---- the capture process (capture_process.cc) ----

// The capture process's first steps after the fork: reporting to fd, LTO
// streaming on, dumps and debug info off, the record's facts.
void capture_setup(int fd);
// Unpin the TU from the compile's -O (functions keep their own options).
void capture_raise_optimization(void);
// Free the front end's data as an LTO compile does (after the early passes).
void capture_free_lang_data(void);
// The IR streamed: store it, report the TU id to the compiler, _exit.
[[noreturn]] void capture_finish(void);
// Report that nothing was captured, and why, then _exit(1).
[[noreturn]] void capture_exit_error(const char *reason);

} // namespace comtainer_gcc

#endif
