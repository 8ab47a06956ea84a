// The middle-end half of the Clang plugin: a pass at the very start of the
// optimization pipeline (so it sees the module before any optimization, at
// every -O level and with -flto) that stores the module's bitcode and its TU
// record in the store and tags the object with the TU id.  Capture problems
// never fail the compile unless COMTAINER_STRICT=1.
#include "compile_facts.h"

#include "comtainer/irstore.h"
#include "comtainer/config.h"
#include "comtainer/strict.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/PassPlugin.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>
#include <memory>

using namespace llvm;

namespace comtainer {

namespace {

struct RecordDeleter {
    void operator()(irs_record *r) const { irs_record_free(r); }
};
struct StoreDeleter {
    void operator()(irs_store *s) const { irs_store_free(s); }
};

int fillRecord(irs_record *r, const CompileFacts &f, const char *ir_hash, size_t ir_size)
{
    int rc = 0;
    auto set = [&rc](char **field, const std::string &v) { rc |= irs_record_set(field, v.c_str()); };
    auto push = [&rc](irs_strv *v, const std::vector<std::string> &items) {
        for (const std::string &s : items)
            rc |= irs_strv_push(v, s.c_str());
    };
    set(&r->ir_kind, "llvm-bc");
    std::memcpy(r->ir, ir_hash, IRS_HASH_HEX_LEN + 1);
    r->ir_size = ir_size;
    set(&r->producer, "comtainer-clang-plugin " COMTAINER_VERSION);
    set(&r->compiler, "clang");
    set(&r->compiler_version, f.compiler_version);
    set(&r->compiler_path, f.compiler_path);
    set(&r->language, f.language);
    set(&r->source, f.source);
    set(&r->cwd, f.cwd);
    set(&r->output, f.output);
    push(&r->driver_args, f.driver_args);
    push(&r->frontend_args, f.frontend_args);
    set(&r->triple, f.triple);
    set(&r->target_cpu, f.target_cpu);
    set(&r->tune_cpu, f.tune_cpu);
    push(&r->target_features, f.target_features);
    r->opt_level = f.opt_level;
    r->size_level = f.size_level;
    r->pic_level = f.pic_level;
    r->pie_level = f.pie_level;
    r->debug_info = f.debug_info;
    for (const std::string &m : f.undef_target_macros) // sorted: std::set
        rc |= irs_strv_push(&r->undef_target_macros, m.c_str());
    return rc;
}

// Store the IR and the record, then tag the object.  Storing yields both
// addresses; only when the store fails are they computed alone, so that the
// tag goes in anyway and a binary names the TUs it is missing rather than
// hiding them.
int capture(Module &M, const CompileFacts &f, ctr_error *err)
{
    SmallVector<char, 0> bitcode;
    {
        raw_svector_ostream os(bitcode);
        WriteBitcodeToFile(M, os);
    }
    irs_store *raw = nullptr;
    int stored = irs_store_open(nullptr, IRS_OPEN_CREATE, &raw, err);
    std::unique_ptr<irs_store, StoreDeleter> store(raw);
    char ir_hash[IRS_HASH_HEX_LEN + 1], id[IRS_HASH_HEX_LEN + 1];
    ctr_error alone = {};
    if (stored == 0)
        stored = irs_blob_put(store.get(), bitcode.data(), bitcode.size(), ir_hash, err);
    if (stored < 0 && irs_sha256_hex(bitcode.data(), bitcode.size(), ir_hash, &alone) < 0)
        return -1;

    std::unique_ptr<irs_record, RecordDeleter> rec(irs_record_new());
    if (!rec || fillRecord(rec.get(), f, ir_hash, bitcode.size()) != 0)
        return ctr_error_set(err, ENOMEM, "building the TU record");
    if (stored == 0)
        stored = irs_record_put(store.get(), rec.get(), id, err);
    if (stored < 0 && irs_record_id(rec.get(), id, &alone) < 0)
        return -1;

    char asmtext[256];
    if (irs_section_asm(id, asmtext, sizeof asmtext) < 0)
        return ctr_error_set(err, 0, "formatting the TU record");
    M.appendModuleInlineAsm(asmtext);
    // under a compile cache the object brings its IR along (irstore.h)
    char carry[3 * 4096 + 256];
    if (stored == 0 && irs_carry_wanted()) {
        if (irs_carry_asm(store.get(), id, ir_hash, carry, sizeof carry, err) < 0)
            return -1;
        M.appendModuleInlineAsm(carry);
    }
    return stored;
}

struct CapturePass : PassInfoMixin<CapturePass> {
    PreservedAnalyses run(Module &M, ModuleAnalysisManager &)
    {
        CompileFacts &f = currentFacts();
        if (!f.valid) // the pass plugin was loaded without our front-end action
            return PreservedAnalyses::all();
        f.valid = false;
        ctr_error err = {};
        if (capture(M, f, &err) < 0) {
            const char *src = f.source.empty() ? M.getSourceFileName().c_str() : f.source.c_str();
            if (ctr_strict())
                M.getContext().emitError(Twine("comtainer: IR not captured for '") + src +
                                         "': " + err.msg);
            else
                // one write: parallel compiles share the terminal or log
                errs() << (Twine("comtainer: warning: IR not captured for '") + src + "': " +
                           err.msg + "\n")
                              .str();
        }
        // Only an inline-asm string was added: no analysis is affected.
        return PreservedAnalyses::all();
    }
    // Without this the pass is skipped at -O0 and for optnone functions.
    static bool isRequired() { return true; }
};

} // namespace
} // namespace comtainer

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo()
{
    return {LLVM_PLUGIN_API_VERSION, "comtainer", COMTAINER_VERSION, [](PassBuilder &PB) {
                PB.registerPipelineStartEPCallback(
                    [](ModulePassManager &MPM, OptimizationLevel) {
                        MPM.addPass(comtainer::CapturePass());
                    });
            }};
}
