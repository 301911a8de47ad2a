# cmake -DPREFIX=... -DSOURCE_DIR=examples/consumer -DWORK_DIR=...
#       [-DGENERATOR=...] [-DCXX=...] [-DCXX_FLAGS=...] [-DLINK_FLAGS=...]
#       -P consumer_test.cmake
#
# Builds the out-of-tree consumer project against the lockscope installed in
# PREFIX and runs its ctest four times, checking exactly which tests pass:
#   0. untracked (LOCKSCOPE_TRACK=OFF: lockscope::lockscope is header-only):
#      configure says tracking is off; the programs run, write no trace, and
#      every test is reported skipped (never passed);
#   1. as shipped: the inversion test fails on its lock-order cycle; the clean
#      one and the suppressed one pass;
#   2. with the whole-run gate: additionally transfer_ab and transfer_ba pass
#      one by one, but the gate fails on the cycle they form together, and
#      writes SARIF;
#   3. with the lock order fixed: everything passes.
foreach(var PREFIX SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "consumer_test.cmake: -D${var}= is required")
  endif()
endforeach()
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

# Runs a command; on failure stops the test with its output.
# Its output is left in RUN_OUTPUT in the caller's scope.
function(run what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${output}")
  endif()
  set(RUN_OUTPUT "${output}" PARENT_SCOPE)
endfunction()

# Fails unless `text` contains `needle`.
function(expect_contains what text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find '${needle}' in:\n${text}")
  endif()
endfunction()

# scenario(LABEL PASS <tests...> FAIL <tests...> [SKIP <tests...>]
#          [DEFINES -D...])
# Configures and builds the consumer with DEFINES, runs its ctest and checks
# that exactly the PASS tests passed, the FAIL tests failed and the SKIP
# tests were skipped. The ctest output is left in ${LABEL}_OUTPUT, the
# configure output in ${LABEL}_CONFIGURE, in the caller's scope.
function(scenario label)
  cmake_parse_arguments(arg "" "" "PASS;FAIL;SKIP;DEFINES" ${ARGN})
  set(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build}"
      "-DCMAKE_PREFIX_PATH=${PREFIX}" ${arg_DEFINES})
  if(GENERATOR)
    list(APPEND configure -G "${GENERATOR}")
  endif()
  if(CXX)
    list(APPEND configure "-DCMAKE_CXX_COMPILER=${CXX}")
  endif()
  if(CXX_FLAGS)
    list(APPEND configure "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
  endif()
  if(LINK_FLAGS)
    list(APPEND configure "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
  endif()
  run("${label}: configuring the consumer" ${configure})
  set(configure_output "${RUN_OUTPUT}")
  run("${label}: building the consumer"
      "${CMAKE_COMMAND}" --build "${build}" -j2)

  execute_process(
    COMMAND "${CMAKE_CTEST_COMMAND}" --output-on-failure
    WORKING_DIRECTORY "${build}"
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  string(REGEX MATCHALL "Test +#[0-9]+: [^\n]*" results "${output}")
  set(passed "")
  set(failed "")
  set(skipped "")
  foreach(line IN LISTS results)
    string(REGEX MATCH "#[0-9]+: ([^ ]+) " _ "${line}")
    set(name "${CMAKE_MATCH_1}")
    if(line MATCHES " Passed ")
      list(APPEND passed "${name}")
    elseif(line MATCHES "Skipped ")
      list(APPEND skipped "${name}")
    else()
      list(APPEND failed "${name}")
    endif()
  endforeach()
  foreach(list passed failed skipped arg_PASS arg_FAIL arg_SKIP)
    list(SORT ${list})
  endforeach()
  if(NOT "${passed}" STREQUAL "${arg_PASS}" OR
     NOT "${failed}" STREQUAL "${arg_FAIL}" OR
     NOT "${skipped}" STREQUAL "${arg_SKIP}")
    message(FATAL_ERROR "${label}: expected passed [${arg_PASS}] failed "
      "[${arg_FAIL}] skipped [${arg_SKIP}], got passed [${passed}] failed "
      "[${failed}] skipped [${skipped}]:\n${output}")
  endif()
  if(arg_FAIL AND status EQUAL 0)
    message(FATAL_ERROR "${label}: ctest exited 0 although tests failed")
  endif()
  message(STATUS "${label}: passed [${passed}], failed [${failed}], "
                 "skipped [${skipped}]")
  set(${label}_OUTPUT "${output}" PARENT_SCOPE)
  set(${label}_CONFIGURE "${configure_output}" PARENT_SCOPE)
endfunction()

# Untracked, nothing is checked: every lockscope_add_test is skipped (not
# passed), and configure said tracking is off.
scenario(untracked
  PASS
  FAIL
  SKIP clean inversion legacy_inversion
  DEFINES -DLOCKSCOPE_TRACK=OFF)
expect_contains(untracked "${untracked_CONFIGURE}"
  "-- lockscope: tracking OFF: lockscope::lockscope is the plain wrappers")
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" -V -R "^inversion$"
  WORKING_DIRECTORY "${build}" OUTPUT_VARIABLE verbose ERROR_VARIABLE verbose)
expect_contains(untracked "${verbose}" "inversion wrote no trace")
expect_contains(untracked "${verbose}" "the test is skipped")

scenario(as_shipped
  PASS clean legacy_inversion
  FAIL inversion
  DEFINES -DLOCKSCOPE_TRACK=ON)
expect_contains(as_shipped "${as_shipped_CONFIGURE}"
  "-- lockscope: tracking ON (LOCKSCOPE_TRACK)")
# The inversion failed because of the check, not because the program did.
expect_contains(as_shipped "${as_shipped_OUTPUT}"
  "lockscope check found failing findings")
expect_contains(as_shipped "${as_shipped_OUTPUT}" "lock-order-cycle alice")
string(FIND "${as_shipped_OUTPUT}" "the command exited with status" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "as_shipped: a test program itself failed:\n"
                      "${as_shipped_OUTPUT}")
endif()

file(REMOVE "${build}/lockscope.sarif")
scenario(with_gate
  PASS clean legacy_inversion transfer_ab transfer_ba lockscope_run_gate_setup
  FAIL inversion lockscope_run_gate
  DEFINES -DLOCKSCOPE_TRACK=ON -DCONSUMER_RUN_GATE=ON)
# The gate found the cycle whose halves ran in two different processes.
expect_contains(with_gate "${with_gate_OUTPUT}" "lock-order-cycle carol")
expect_contains(with_gate "${with_gate_OUTPUT}" "/transfer_ab/transfer_ab.")
expect_contains(with_gate "${with_gate_OUTPUT}" "/transfer_ba/transfer_ba.")
if(NOT EXISTS "${build}/lockscope.sarif")
  message(FATAL_ERROR "with_gate: no SARIF written to ${build}/lockscope.sarif")
endif()
file(READ "${build}/lockscope.sarif" sarif)
expect_contains(with_gate "${sarif}" "lock-order-cycle")

scenario(fixed
  PASS clean inversion legacy_inversion transfer_ab transfer_ba
       lockscope_run_gate_setup lockscope_run_gate
  FAIL
  DEFINES -DLOCKSCOPE_TRACK=ON -DCONSUMER_RUN_GATE=ON -DCONSUMER_FIXED=ON)
