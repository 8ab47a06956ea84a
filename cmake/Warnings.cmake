# Warning flags for the project's own code, applied per target with
# comtainer_warnings(<target>).
function(comtainer_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wformat=2
    $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes -Wmissing-prototypes>)
  if(COMTAINER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# AddressSanitizer and UndefinedBehaviorSanitizer for the code that reads
# image input (COMTAINER_SANITIZE=ON, the sanitized pass of scripts/test).
# Never for the compiler and linker plugins: they load into processes that
# carry no sanitizer runtime.
option(COMTAINER_SANITIZE "Build the tools and libraries with ASan and UBSan" OFF)
function(comtainer_sanitize target)
  if(COMTAINER_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    # PUBLIC: whatever links a sanitized library needs the runtimes too
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
