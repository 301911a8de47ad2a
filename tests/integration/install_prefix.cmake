# cmake -DBUILD_DIR=... -DPREFIX=... -P install_prefix.cmake
#
# Installs the lockscope build tree into an empty PREFIX, as a user would,
# and checks the layout the package promises.
foreach(var BUILD_DIR PREFIX)
  if(NOT ${var})
    message(FATAL_ERROR "install_prefix.cmake: -D${var}= is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status}); are the "
                      "libraries and the CLI built?\n${output}")
endif()

set(expected
  bin/lockscope
  include/lockscope/lockscope.h
  include/lockscope/mutex.h
  include/lockscope/rwlock.h
  include/lockscope/app_cell.h
  include/lockscope/config.h
  include/lockscope/source_location.h
  include/lockscope/gtest.h
  include/lockscope/internal/hooks.h
  lib/liblockscope.so
  lib/liblockscope.so.0
  lib/liblockscope_proto.so.0
  lib/cmake/lockscope/lockscopeConfig.cmake
  lib/cmake/lockscope/lockscopeConfigVersion.cmake
  lib/cmake/lockscope/lockscopeTargets.cmake
  lib/cmake/lockscope/LockscopeTest.cmake
  lib/cmake/lockscope/lockscope_run_test.sh
  lib/cmake/lockscope/lockscope_check_dir.sh
  lib/pkgconfig/lockscope.pc)
set(missing "")
foreach(file IN LISTS expected)
  if(NOT EXISTS "${PREFIX}/${file}")
    list(APPEND missing "${file}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "not installed: ${missing}")
endif()

# The installed CLI runs from the prefix.
execute_process(COMMAND "${PREFIX}/bin/lockscope" --help
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT status EQUAL 0 OR NOT output MATCHES "check")
  message(FATAL_ERROR "installed lockscope --help failed (${status}):\n"
                      "${output}")
endif()
message(STATUS "installed lockscope into ${PREFIX}")
