# Install rules and the exported CMake package. Included at the end of the
# top-level CMakeLists.txt, once every target exists.
#
# What `cmake --install` lays down (under the prefix):
#   include/lockscope/*.h                 the public API (<lockscope/...>)
#   include/lockscope/internal/hooks.h    the runtime interface config.h includes
#   lib/liblockscope.so.0                 the runtime (one per process)
#   lib/liblockscope_proto.so.0           the trace schema it writes
#   bin/lockscope                         the CLI
#   lib/cmake/lockscope/                  find_package(lockscope CONFIG):
#       lockscopeConfig.cmake, lockscopeConfigVersion.cmake,
#       lockscopeTargets.cmake (lockscope::headers, ::runtime, ::tracked,
#       ::cli), LockscopeTest.cmake
#       (lockscope_add_test) and its driver scripts (*.sh)
#   lib/pkgconfig/lockscope.pc            the tracked flavour for non-CMake builds
#   share/doc/lockscope/                  the user documentation
#
# lockscope::lockscope itself is not exported: the config file makes it, so
# that the consumer's LOCKSCOPE_TRACK decides what it means.
include(CMakePackageConfigHelpers)

set(LOCKSCOPE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/lockscope
    CACHE STRING "Where the lockscope CMake package is installed")

# The targets keep their in-tree names; the package names them by role.
set_target_properties(lockscope_instrument PROPERTIES EXPORT_NAME headers)
set_target_properties(lockscope_tracked PROPERTIES EXPORT_NAME tracked)
set_target_properties(lockscope_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(lockscope_cli PROPERTIES EXPORT_NAME cli)

# In the build tree the headers come from the source tree (BUILD_INTERFACE,
# set where the targets are made); installed, from include/.
target_include_directories(lockscope_instrument INTERFACE
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# The public headers, internal/ included (config.h includes
# "internal/hooks.h", which resolves next to it).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/instrument/lockscope/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lockscope
  FILES_MATCHING PATTERN "*.h")

# The runtime is a shared library whose analysis code is linked in; the
# schema library it needs at run time is installed beside it, unexported.
install(TARGETS lockscope_proto
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS
    lockscope_instrument lockscope_tracked lockscope_runtime lockscope_cli
  EXPORT lockscopeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT lockscopeTargets
  NAMESPACE lockscope::
  DESTINATION ${LOCKSCOPE_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/lockscopeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/lockscopeConfig.cmake
  INSTALL_DESTINATION ${LOCKSCOPE_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/lockscopeConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/cmake/lockscopeConfig.cmake
    ${PROJECT_BINARY_DIR}/cmake/lockscopeConfigVersion.cmake
    ${PROJECT_SOURCE_DIR}/cmake/LockscopeTest.cmake
  DESTINATION ${LOCKSCOPE_INSTALL_CMAKEDIR})
install(PROGRAMS
    ${PROJECT_SOURCE_DIR}/cmake/lockscope_run_test.sh
    ${PROJECT_SOURCE_DIR}/cmake/lockscope_check_dir.sh
  DESTINATION ${LOCKSCOPE_INSTALL_CMAKEDIR})

# pkg-config: configured at install time, because `cmake --install --prefix
# DIR` picks the prefix after configure; install scripts see the real one in
# CMAKE_INSTALL_PREFIX. (Absolute, as Debian's own .pc files are; relocate
# with `pkg-config --define-prefix`.)
install(CODE "
  set(LOCKSCOPE_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(LOCKSCOPE_PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(LOCKSCOPE_PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/lockscope.pc.in\"
                 \"${PROJECT_BINARY_DIR}/cmake/lockscope.pc\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/cmake/lockscope.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md")
