// What the front end knows about the current compile, handed from the plugin
// action (which sees the CompilerInstance) to the capture pass (which sees the
// module).  One compile at a time runs in a cc1 process, so one global suffices.
#ifndef COMTAINER_CLANG_COMPILE_FACTS_H
#define COMTAINER_CLANG_COMPILE_FACTS_H

#include <set>
#include <string>
#include <vector>

namespace comtainer {

struct CompileFacts {
    bool valid = false; // set by the action, cleared once the pass used it
    std::string source, language, output, cwd;
    std::string compiler_version, compiler_path;
    std::vector<std::string> driver_args, frontend_args;
    std::string triple, target_cpu, tune_cpu;
    std::vector<std::string> target_features;
    int opt_level = 0, size_level = 0, pic_level = 0, pie_level = 0;
    bool debug_info = false;
    // target-feature macros its conditions tested while undefined
    std::set<std::string> undef_target_macros;
};

CompileFacts &currentFacts();
// Capture the module into the store and tag it with its TU record.
void captureModule(void *llvm_module);

} // namespace comtainer

#endif
