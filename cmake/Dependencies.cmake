# Every third-party dependency is found here, and only here.  The Debian
# packages that provide them are listed once, in scripts/debian-packages.
find_package(PkgConfig REQUIRED)
pkg_check_modules(MSGPACK REQUIRED IMPORTED_TARGET msgpack)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
# Nettle: the GCC plugin's capture process opens it for SHA-256 (cheaper to
# load than libcrypto, which stays its fallback); headers only, no link.
pkg_check_modules(NETTLE IMPORTED_TARGET nettle)

# Clang 19 from Debian's llvm-19-dev / libclang-19-dev, or the LLVM 19 install
# under COMTAINER_LLVM_ROOT (Spack passes its llvm dependency's prefix).
# LLVMConfigVersion accepts only an exact major.minor request, so ask for any
# version under the hint and check the major ourselves.
set(COMTAINER_LLVM_ROOT "/usr/lib/llvm-19" CACHE PATH "LLVM 19 install (lib/cmake/llvm)")
find_package(LLVM REQUIRED CONFIG HINTS "${COMTAINER_LLVM_ROOT}/lib/cmake/llvm" NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "comtainer needs LLVM 19 (found ${LLVM_PACKAGE_VERSION} in ${LLVM_DIR})")
endif()
find_package(Clang REQUIRED CONFIG HINTS "${COMTAINER_LLVM_ROOT}/lib/cmake/clang"
                                         "${LLVM_DIR}/../clang")
message(STATUS "comtainer: LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")
set(COMTAINER_CLANG_MAJOR ${LLVM_VERSION_MAJOR})
set(COMTAINER_LLVM_BINDIR "${LLVM_TOOLS_BINARY_DIR}")
find_program(COMTAINER_CLANG clang-${LLVM_VERSION_MAJOR} clang
             HINTS "${LLVM_TOOLS_BINARY_DIR}" NO_DEFAULT_PATH REQUIRED)

# GCC 12: the relinker's GCC and the one whose plugin headers the GCC plugin
# is built against (GIMPLE is readable only by the GCC major that wrote it).
set(COMTAINER_GCC "gcc-12" CACHE STRING "GCC driver whose plugin headers are used")
execute_process(COMMAND ${COMTAINER_GCC} -dumpversion
                OUTPUT_VARIABLE COMTAINER_GCC_MAJOR OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
string(REGEX REPLACE "\\..*" "" COMTAINER_GCC_MAJOR "${COMTAINER_GCC_MAJOR}")
if(NOT COMTAINER_GCC_MAJOR)
  message(FATAL_ERROR "comtainer needs ${COMTAINER_GCC} (install gcc-12)")
endif()
