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
#include <clang/Lex/Lexer.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/Support/FileSystem.h>

#include <cctype>
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

// The conditions that choose a code path by a CPU feature of the compile's
// target (#ifdef __AVX2__, #if defined(__FMA__) || __SSE4_2__, ...): each
// feature macro tested while undefined goes into the record, so that the
// relinker can say that the path needs a rebuild from source.  Clang's own
// headers (immintrin.h) test them for every includer and do not count.
class TargetMacroWatch : public PPCallbacks {
    Preprocessor &PP;
    std::string ownHeaders; // the resource directory's include/

    bool counts(SourceLocation loc) const
    {
        llvm::StringRef file = PP.getSourceManager().getFilename(
            PP.getSourceManager().getExpansionLoc(loc));
        return ownHeaders.empty() || !file.starts_with(ownHeaders);
    }
    void tested(llvm::StringRef name)
    {
        std::string n = name.str();
        if (irs_target_macro(n.c_str()) && !PP.isMacroDefined(name))
            currentFacts().undef_target_macros.insert(n);
    }
    void token(SourceLocation loc, const Token &t)
    {
        if (counts(loc) && t.getIdentifierInfo())
            tested(t.getIdentifierInfo()->getName());
    }
    void condition(SourceLocation loc, SourceRange range)
    {
        if (!counts(loc))
            return;
        llvm::StringRef text = Lexer::getSourceText(CharSourceRange::getTokenRange(range),
                                                    PP.getSourceManager(), PP.getLangOpts());
        for (size_t i = 0; i < text.size();) {
            size_t j = i;
            while (j < text.size() && (isalnum((unsigned char)text[j]) || text[j] == '_'))
                j++;
            if (j > i && !isdigit((unsigned char)text[i]))
                tested(text.slice(i, j));
            i = j > i ? j : i + 1;
        }
    }

  public:
    TargetMacroWatch(Preprocessor &pp, const std::string &resourceDir) : PP(pp)
    {
        if (!resourceDir.empty())
            ownHeaders = resourceDir + "/include/";
    }
    void Ifdef(SourceLocation loc, const Token &t, const MacroDefinition &) override
    {
        token(loc, t);
    }
    void Ifndef(SourceLocation loc, const Token &t, const MacroDefinition &) override
    {
        token(loc, t);
    }
    void Elifdef(SourceLocation loc, const Token &t, const MacroDefinition &) override
    {
        token(loc, t);
    }
    void Elifndef(SourceLocation loc, const Token &t, const MacroDefinition &) override
    {
        token(loc, t);
    }
    void Defined(const Token &t, const MacroDefinition &, SourceRange range) override
    {
        token(range.getBegin(), t);
    }
    void If(SourceLocation loc, SourceRange range, ConditionValueKind) override
    {
        condition(loc, range);
    }
    void Elif(SourceLocation loc, SourceRange range, ConditionValueKind, SourceLocation) override
    {
        condition(loc, range);
    }
};

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
            CI.getPreprocessor().addPPCallbacks(std::make_unique<TargetMacroWatch>(
                CI.getPreprocessor(), CI.getHeaderSearchOpts().ResourceDir));
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
