# Warning flags for the project's own code, applied per target with
# comtainer_warnings(<target>).
function(comtainer_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wformat=2
    $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes -Wmissing-prototypes>)
  if(COMTAINER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
