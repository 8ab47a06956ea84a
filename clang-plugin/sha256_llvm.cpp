// irstore's SHA-256, from LLVM's implementation: it is already loaded in
// every compile, whereas libcrypto would cost each compile milliseconds of
// loading and start-up (measured: bench/README.md).
#include "comtainer/irstore.h"

#include <llvm/ADT/ArrayRef.h>
#include <llvm/Support/SHA256.h>

#include <cstring>

extern "C" int irs_sha256_digest(const void *data, size_t len, unsigned char digest[32])
{
    auto hash = llvm::SHA256::hash(
        llvm::ArrayRef<uint8_t>(static_cast<const uint8_t *>(data), len));
    static_assert(sizeof hash == 32, "SHA-256 is 32 bytes");
    std::memcpy(digest, hash.data(), 32);
    return 0;
}
