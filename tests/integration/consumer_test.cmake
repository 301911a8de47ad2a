# cmake -DPREFIX=... -DSOURCE_DIR=examples/consumer -DWORK_DIR=...
#       [-DGENERATOR=...] [-DCXX=...] [-DCXX_FLAGS=...] [-DLINK_FLAGS=...]
#       -P consumer_test.cmake
#
# Builds the out-of-tree consumer project against the lockscope installed in
# PREFIX and runs its ctest four times, checking exactly which tests pass:
#   0. untracked (LOCKSCOPE_TRACK=OFF: lockscope::lockscope is header-only):
#      the programs run, write no trace, and every test passes;
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
function(run what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${output}")
  endif()
endfunction()

# Fails unless `text` contains `needle`.
function(expect_contains what text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find '${needle}' in:\n${text}")
  endif()
endfunction()

# scenario(LABEL PASS <tests...> FAIL <tests...> [DEFINES -D...])
# Configures and builds the consumer with DEFINES, runs its ctest and checks
# that exactly the PASS tests passed and the FAIL tests failed. The ctest
# output is left in ${LABEL}_OUTPUT in the caller's scope.
function(scenario label)
  cmake_parse_arguments(arg "" "" "PASS;FAIL;DEFINES" ${ARGN})
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
  run("${label}: building the consumer"
      "${CMAKE_COMMAND}" --build "${build}" -j2)

  execute_process(
    COMMAND "${CMAKE_CTEST_COMMAND}" --output-on-failure
    WORKING_DIRECTORY "${build}"
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  string(REGEX MATCHALL "Test +#[0-9]+: [^\n]*" results "${output}")
  set(passed "")
  set(failed "")
  foreach(line IN LISTS results)
    string(REGEX MATCH "#[0-9]+: ([^ ]+) " _ "${line}")
    set(name "${CMAKE_MATCH_1}")
    if(line MATCHES " Passed ")
      list(APPEND passed "${name}")
    else()
      list(APPEND failed "${name}")
    endif()
  endforeach()
  foreach(list passed failed arg_PASS arg_FAIL)
    list(SORT ${list})
  endforeach()
  if(NOT "${passed}" STREQUAL "${arg_PASS}" OR
     NOT "${failed}" STREQUAL "${arg_FAIL}")
    message(FATAL_ERROR "${label}: expected passed [${arg_PASS}] failed "
      "[${arg_FAIL}], got passed [${passed}] failed [${failed}]:\n${output}")
  endif()
  if(arg_FAIL AND status EQUAL 0)
    message(FATAL_ERROR "${label}: ctest exited 0 although tests failed")
  endif()
  message(STATUS "${label}: passed [${passed}], failed [${failed}]")
  set(${label}_OUTPUT "${output}" PARENT_SCOPE)
endfunction()

scenario(untracked
  PASS clean inversion legacy_inversion
  FAIL
  DEFINES -DLOCKSCOPE_TRACK=OFF)
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" -V -R "^inversion$"
  WORKING_DIRECTORY "${build}" OUTPUT_VARIABLE verbose ERROR_VARIABLE verbose)
expect_contains(untracked "${verbose}" "inversion wrote no trace")

scenario(as_shipped
  PASS clean legacy_inversion
  FAIL inversion
  DEFINES -DLOCKSCOPE_TRACK=ON)
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
