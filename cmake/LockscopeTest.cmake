# LockscopeTest.cmake — ctest integration, shipped in the lockscope package
# (find_package(lockscope CONFIG) includes it).
#
# lockscope_track(<target>...)
#   Builds each target tracked (TRACK_THREAD_BORROWS + the runtime), whatever
#   LOCKSCOPE_TRACK says. Libraries propagate it to their users, because all
#   code of one program that shares lockscope types must agree on the mode.
#
# lockscope_add_test(NAME <name> COMMAND <command> [<arg>...]
#                    [SUPPRESSIONS <file>] [OPTIONS <key=value:...>]
#                    [WORKING_DIRECTORY <dir>] [STRICT])
#   Registers a ctest test that runs the command with
#     LOCKSCOPE_OPTIONS=report=off:<inherited>:<OPTIONS>:suppressions=<file>:
#                       trace=${LOCKSCOPE_TRACE_DIR}/<name>/<name>.%p.lstrace:
#                       exitcode=0
#   (the check prints the report, and decides: exitcode=0), then runs
#   `lockscope check [--suppressions=<file>] [--strict]` over the traces the
#   command wrote (one per tracked process). The test fails when the command
#   fails or the check exits non-zero. A command that wrote no trace (built
#   untracked, or never touched a lockscope object) checked nothing, so its
#   test is reported as skipped by ctest (SKIP_RETURN_CODE 77), never as
#   passed; it still fails when the command fails.
#   <command> may be an executable target. SUPPRESSIONS is relative to the
#   current source directory. The test gets the label `lockscope` and requires
#   the `lockscope_run` fixture (see lockscope_add_run_gate); set other test
#   properties with set_tests_properties as usual, but APPEND to
#   FIXTURES_REQUIRED and LABELS rather than replacing them.
#
# lockscope_add_run_gate([NAME <name>] [SUPPRESSIONS <file>] [STRICT]
#                        [SARIF <file>])
#   The whole-run gate. Adds two tests around every lockscope_add_test of the
#   build tree through the `lockscope_run` fixture: <name>_setup (empties
#   ${LOCKSCOPE_TRACE_DIR} before the first of them) and <name> (default
#   lockscope_run_gate), which runs after the last of them and checks all
#   their traces as one lock graph, so an inversion whose two halves ran in
#   different test programs fails the run. SARIF also writes the findings as
#   SARIF 2.1.0 to <file> (for GitHub code scanning). Call it once per build
#   tree. `ctest -R foo` still runs the gate, over foo's traces only.
#
#   Other tests join the gate by writing traces anywhere under
#   ${LOCKSCOPE_TRACE_DIR} and requiring the fixture, e.g. every case of a
#   GoogleTest binary:
#     gtest_discover_tests(foo_test PROPERTIES
#       ENVIRONMENT "LOCKSCOPE_OPTIONS=trace=${LOCKSCOPE_TRACE_DIR}/foo_test.%p.lstrace"
#       FIXTURES_REQUIRED lockscope_run)
#
# Variables:
#   LOCKSCOPE_TRACE_DIR  where traces go; set here to
#                        ${CMAKE_BINARY_DIR}/lockscope-traces unless already
#                        set. Must not contain ':' (LOCKSCOPE_OPTIONS
#                        separates with it).
if(NOT LOCKSCOPE_TRACE_DIR)
  set(LOCKSCOPE_TRACE_DIR "${CMAKE_BINARY_DIR}/lockscope-traces")
endif()

include_guard(GLOBAL)

# The driver scripts sit next to this file. A global property, because the
# functions are global while variables are per directory.
set_property(GLOBAL PROPERTY LOCKSCOPE_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(lockscope_track)
  foreach(target IN LISTS ARGN)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_link_libraries(${target} PRIVATE lockscope::tracked)
    elseif(type STREQUAL "INTERFACE_LIBRARY")
      target_link_libraries(${target} INTERFACE lockscope::tracked)
    else()
      target_link_libraries(${target} PUBLIC lockscope::tracked)
    endif()
  endforeach()
endfunction()

# Internal: the trace directory, checked for characters LOCKSCOPE_OPTIONS
# cannot carry.
function(_lockscope_trace_dir out)
  if(LOCKSCOPE_TRACE_DIR)
    set(dir "${LOCKSCOPE_TRACE_DIR}")
  else()
    set(dir "${CMAKE_BINARY_DIR}/lockscope-traces")
  endif()
  if(dir MATCHES ":")
    message(FATAL_ERROR "lockscope: LOCKSCOPE_TRACE_DIR '${dir}' contains "
                        "':', which LOCKSCOPE_OPTIONS cannot carry")
  endif()
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# Internal: appends the arguments shared by both drivers to ${out}.
function(_lockscope_check_args out suppressions strict)
  set(args --cli "$<TARGET_FILE:lockscope::cli>")
  if(suppressions)
    get_filename_component(suppressions "${suppressions}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND args --suppressions "${suppressions}")
  endif()
  if(strict)
    list(APPEND args --strict)
  endif()
  set(${out} ${args} PARENT_SCOPE)
endfunction()

function(lockscope_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "STRICT"
    "NAME;SUPPRESSIONS;OPTIONS;WORKING_DIRECTORY" "COMMAND")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockscope_add_test: unknown arguments: "
                        "${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "lockscope_add_test: NAME and COMMAND are required")
  endif()
  get_property(cmake_dir GLOBAL PROPERTY LOCKSCOPE_CMAKE_DIR)
  _lockscope_trace_dir(trace_root)
  _lockscope_check_args(args "${arg_SUPPRESSIONS}" "${arg_STRICT}")

  # add_test maps a target name only in the first word; ours is `sh`.
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    get_target_property(type ${program} TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(program "$<TARGET_FILE:${program}>")
    endif()
  endif()
  string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" file_name "${arg_NAME}")
  list(APPEND args --trace-dir "${trace_root}/${file_name}")
  if(arg_OPTIONS)
    list(APPEND args --options "${arg_OPTIONS}")
  endif()
  if(arg_WORKING_DIRECTORY)
    set(workdir WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  endif()
  add_test(NAME ${arg_NAME}
    COMMAND sh "${cmake_dir}/lockscope_run_test.sh" ${args}
            -- "${program}" ${arg_COMMAND}
    ${workdir})
  set_property(TEST ${arg_NAME} PROPERTY SKIP_RETURN_CODE 77)
  set_property(TEST ${arg_NAME} APPEND PROPERTY FIXTURES_REQUIRED
               lockscope_run)
  set_property(TEST ${arg_NAME} APPEND PROPERTY LABELS lockscope)
endfunction()

function(lockscope_add_run_gate)
  cmake_parse_arguments(PARSE_ARGV 0 arg "STRICT" "NAME;SUPPRESSIONS;SARIF"
                        "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockscope_add_run_gate: unknown arguments: "
                        "${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME)
    set(arg_NAME lockscope_run_gate)
  endif()
  get_property(cmake_dir GLOBAL PROPERTY LOCKSCOPE_CMAKE_DIR)
  _lockscope_trace_dir(trace_root)
  _lockscope_check_args(args "${arg_SUPPRESSIONS}" "${arg_STRICT}")
  list(APPEND args --trace-dir "${trace_root}")
  if(arg_SARIF)
    get_filename_component(sarif "${arg_SARIF}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    list(APPEND args --sarif "${sarif}")
  endif()

  # Stale traces from an earlier run must not be judged again; the empty
  # directory must exist for tests that write into it directly.
  add_test(NAME ${arg_NAME}_setup
    COMMAND sh "${cmake_dir}/lockscope_check_dir.sh" --reset
            --trace-dir "${trace_root}")
  set_tests_properties(${arg_NAME}_setup PROPERTIES
    FIXTURES_SETUP lockscope_run LABELS lockscope)
  add_test(NAME ${arg_NAME}
    COMMAND sh "${cmake_dir}/lockscope_check_dir.sh" ${args})
  set_tests_properties(${arg_NAME} PROPERTIES
    FIXTURES_CLEANUP lockscope_run LABELS lockscope)
endfunction()
