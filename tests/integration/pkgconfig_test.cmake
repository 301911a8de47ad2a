# cmake -DPREFIX=... -DSOURCE=pkgconfig_program.cc -DWORK_DIR=... [-DCXX=...]
#       [-DCXX_FLAGS=...] -P pkgconfig_test.cmake
#
# Builds a program against the installed lockscope.pc twice: with
# `--cflags --libs` it is tracked, reports its lock-order cycle and exits
# with LOCKSCOPE_OPTIONS' default exitcode 66; with `--cflags-only-I` it is
# the untracked, header-only form and exits 0 without a word from lockscope.
foreach(var PREFIX SOURCE WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "pkgconfig_test.cmake: -D${var}= is required")
  endif()
endforeach()
if(NOT CXX)
  set(CXX c++)
endif()
find_program(PKG_CONFIG NAMES pkg-config REQUIRED)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(ENV{PKG_CONFIG_PATH} "${PREFIX}/lib/pkgconfig")
separate_arguments(extra_flags UNIX_COMMAND "${CXX_FLAGS}")

# Builds ${WORK_DIR}/${name} with the flags pkg-config gives for `query`.
function(build name query)
  execute_process(COMMAND "${PKG_CONFIG}" ${query} lockscope
    RESULT_VARIABLE status OUTPUT_VARIABLE flags ERROR_VARIABLE flags
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "pkg-config ${query} lockscope failed:\n${flags}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  execute_process(
    COMMAND "${CXX}" -std=c++17 ${extra_flags} "${SOURCE}"
            -o "${WORK_DIR}/${name}" ${flags}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "building ${name} with pkg-config ${query} failed:\n"
                        "${output}")
  endif()
endfunction()

# Runs ${WORK_DIR}/${name}; sets ${name}_STATUS and ${name}_OUTPUT.
function(run name)
  set(ENV{LOCKSCOPE_OPTIONS} "trace=off")
  execute_process(COMMAND "${WORK_DIR}/${name}"
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  set(${name}_STATUS "${status}" PARENT_SCOPE)
  set(${name}_OUTPUT "${output}" PARENT_SCOPE)
endfunction()

build(tracked "--cflags;--libs")
run(tracked)
if(NOT tracked_STATUS EQUAL 66 OR NOT tracked_OUTPUT MATCHES
   "tracked: yes" OR NOT tracked_OUTPUT MATCHES "lock-order-cycle")
  message(FATAL_ERROR "tracked program: expected exit 66 and a "
    "lock-order-cycle report, got ${tracked_STATUS}:\n${tracked_OUTPUT}")
endif()

build(plain "--cflags-only-I")
run(plain)
if(NOT plain_STATUS EQUAL 0 OR NOT plain_OUTPUT STREQUAL "tracked: no\n")
  message(FATAL_ERROR "untracked program: expected exit 0 and only "
    "'tracked: no', got ${plain_STATUS}:\n${plain_OUTPUT}")
endif()
message(STATUS "pkg-config: tracked exits 66 with the report; plain exits 0")
