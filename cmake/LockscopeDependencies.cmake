# Finds every third-party dependency (all Debian 12 packages, installed by
# scripts/setup.sh).
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUNWIND REQUIRED IMPORTED_TARGET libunwind)
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)
# libelf: the symbol tables that name interposed locks (runtime/lock_names.cc).
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
find_package(CLI11 CONFIG REQUIRED)
if(LOCKSCOPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(LOCKSCOPE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
