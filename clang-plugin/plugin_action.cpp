// The front-end half of the Clang plugin: loaded by -fplugin, it runs before
// the main action, records the compile's facts, and asks code generation to
// load this same library as a pass plugin (clang has no other way to run a
// pass from an -fplugin library).
#include "compile_facts.h"
#include "comtainer/irstore.h"
#include "comtainer/strict.h"

#include <clang/Basic/Version.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendPluginRegistry.h>
#include <llvm/Support/FileSystem.h>

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <unistd.h>

using namespace clang;

namespace comtainer {

CompileFacts &currentFacts()
{
    static CompileFacts facts;
    return facts;
}

static std::vector<std::string> readCmdline(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    size_t start = 0;
    for (size_t i = 0; i < all.size(); i++) {
        if (all[i] == '\0') {
            args.push_back(all.substr(start, i - start));
            start = i + 1;
        }
    }
    return args;
}

static std::string languageName(Language lang)
{
    switch (lang) {
    case Language::C: return "c";
    case Language::CXX: return "c++";
    case Language::ObjC: return "objective-c";
    case Language::ObjCXX: return "objective-c++";
    case Language::OpenCL: return "opencl";
    case Language::CUDA: return "cuda";
    case Language::HIP: return "hip";
    case Language::Asm: return "assembler";
    case Language::LLVM_IR: return "llvm-ir";
    default: return "other";
    }
}

static std::string selfPath()
{
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&selfPath), &info) && info.dli_fname)
        return info.dli_fname;
    return "";
}

// A build system's probe of the toolchain (irs_is_probe).
static bool isProbe(CompilerInstance &CI)
{
    const auto &inputs = CI.getFrontendOpts().Inputs;
    std::string source = !inputs.empty() && inputs[0].isFile() ? inputs[0].getFile().str() : "";
    llvm::SmallString<256> cwd;
    llvm::sys::fs::current_path(cwd);
    return irs_is_probe(source.c_str(), cwd.c_str(), CI.getFrontendOpts().OutputFile.c_str());
}

static void recordFacts(CompilerInstance &CI)
{
    CompileFacts f;
    const FrontendOptions &fe = CI.getFrontendOpts();
    if (!fe.Inputs.empty()) {
        const FrontendInputFile &in = fe.Inputs.front();
        f.source = in.isFile() ? in.getFile().str() : "<buffer>";
        f.language = languageName(in.getKind().getLanguage());
    }
    f.output = fe.OutputFile;
    f.cwd = CI.getFileSystemOpts().WorkingDir;
    if (f.cwd.empty()) {
        char buf[4096];
        if (getcwd(buf, sizeof buf))
            f.cwd = buf;
    }
    f.compiler_version = getClangFullVersion();
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0)
        f.compiler_path.assign(exe, size_t(n));
    // In-process cc1 (clang's default) shares the driver's argv; a spawned
    // cc1 (-fno-integrated-cc1, several inputs) has the driver as parent.
    f.driver_args = readCmdline("/proc/self/cmdline");
    if (f.driver_args.size() > 1 && f.driver_args[1] == "-cc1")
        f.driver_args = readCmdline("/proc/" + std::to_string(getppid()) + "/cmdline");
    f.frontend_args = CI.getInvocation().getCC1CommandLine();

    const TargetOptions &t = CI.getTargetOpts();
    f.triple = t.Triple;
    f.target_cpu = t.CPU;
    f.tune_cpu = t.TuneCPU;
    f.target_features = t.FeaturesAsWritten;
    const CodeGenOptions &cg = CI.getCodeGenOpts();
    f.opt_level = int(cg.OptimizationLevel);
    f.size_level = int(cg.OptimizeSize);
    f.debug_info = cg.getDebugInfo() != llvm::codegenoptions::NoDebugInfo;
    f.pic_level = int(CI.getLangOpts().PICLevel);
    f.pie_level = CI.getLangOpts().PIE ? f.pic_level : 0;
    f.valid = true;
    currentFacts() = std::move(f);
}

static void reportNotCaptured(CompilerInstance &CI, const std::string &why)
{
    const auto &in = CI.getFrontendOpts().Inputs;
    std::string src = in.empty() || !in.front().isFile() ? "<input>" : in.front().getFile().str();
    std::string msg = "comtainer: IR not captured for '" + src + "': " + why;
    if (ctr_strict()) {
        DiagnosticsEngine &d = CI.getDiagnostics();
        d.Report(d.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << msg;
    } else {
        // one write: parallel compiles share the terminal or log
        llvm::errs() << "comtainer: warning: IR not captured for '" + src + "': " + why + "\n";
    }
}

class CaptureAction : public PluginASTAction {
  protected:
    std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                   llvm::StringRef) override
    {
        std::string self = selfPath();
        CodeGenOptions &cg = CI.getCodeGenOpts();
        if (cg.DisableLLVMPasses) {
            // -save-temps splits the compile: this step writes unoptimized
            // bitcode with no pipeline to hook, and the step that optimizes it
            // reads IR without running plugin actions.  Say so, once.
            reportNotCaptured(CI, "LLVM passes are disabled (-save-temps or "
                                  "-disable-llvm-passes)");
        } else if (isProbe(CI)) {
            // a configure or CMake probe: thrown away, never in an image
        } else if (!self.empty()) {
            recordFacts(CI);
            cg.PassPlugins.push_back(self);
            // Capture IR that a later -O3 can optimize: at -O0 clang would
            // mark every function optnone and noinline.  Neither changes -O0
            // code generation, which never inlines or optimizes anyway.
            if (cg.OptimizationLevel == 0) {
                cg.DisableO0ImplyOptNone = 1;
                cg.setInlining(CodeGenOptions::NormalInlining);
            }
        }
        return std::make_unique<ASTConsumer>();
    }

    bool ParseArgs(const CompilerInstance &, const std::vector<std::string> &) override
    {
        return true;
    }

    ActionType getActionType() override { return AddBeforeMainAction; }
};

} // namespace comtainer

static FrontendPluginRegistry::Add<comtainer::CaptureAction>
    registration("comtainer", "capture each TU's IR into the comtainer store");
