# comtainer.pc: lets build systems find the plugins for any install prefix,
# e.g. CFLAGS="-fplugin=$(pkg-config --variable=clang_plugin comtainer)".
set(COMTAINER_PLUGIN_DIR "${CMAKE_INSTALL_FULL_LIBDIR}/comtainer-plugin")
configure_file("${CMAKE_CURRENT_LIST_DIR}/comtainer.pc.in"
               "${CMAKE_BINARY_DIR}/comtainer.pc" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/comtainer.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
