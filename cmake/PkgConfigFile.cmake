# comtainer.pc: lets build systems find the plugins for any install prefix,
# e.g. CFLAGS="-fplugin=$(pkg-config --variable=clang_plugin comtainer)".
# It is written at install time, so that `cmake --install --prefix P` (and
# DESTDIR) give a file naming the real location under P.
install(CODE "
  set(COMTAINER_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(COMTAINER_LIBDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}\")
  set(COMTAINER_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  set(COMTAINER_CLANG_MAJOR \"${COMTAINER_CLANG_MAJOR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  set(pc \"\$ENV{DESTDIR}\${COMTAINER_LIBDIR}/pkgconfig/comtainer.pc\")
  configure_file(\"${CMAKE_CURRENT_LIST_DIR}/comtainer.pc.in\" \"\${pc}\" @ONLY)
  message(STATUS \"Installing: \${pc}\")
")
