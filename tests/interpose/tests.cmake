# The pthread interposer behind `lockscope run` (interpose/), end to end
# through the real CLI: plain programs with no lockscope include.
add_executable(interpose_core_program interpose/core_program.cc)
target_link_libraries(interpose_core_program PRIVATE Threads::Threads)
lockscope_warnings(interpose_core_program)

# A TRACK_THREAD_BORROWS program: its wrappers and its plain std::mutex
# report to the one runtime the interposer also uses.
add_executable(interpose_mixed_program interpose/mixed_program.cc)
target_link_libraries(interpose_mixed_program PRIVATE lockscope_tracked)
lockscope_warnings(interpose_mixed_program)

# Runs programs through the built `lockscope run` and reads their traces
# back with the CLI (run_program.h), on tests/testing's child processes.
add_library(interpose_run_program STATIC
  interpose/run_program.cc
  viewer/json_checker.cc)
target_link_libraries(interpose_run_program PUBLIC lockscope_testing
                      GTest::gtest)
target_include_directories(interpose_run_program PUBLIC ${PROJECT_SOURCE_DIR})
target_compile_definitions(interpose_run_program PRIVATE
  LOCKSCOPE_CLI_PATH="$<TARGET_FILE:lockscope_cli>")
lockscope_warnings(interpose_run_program)

lockscope_unit_test(interpose_core_test
  SOURCES interpose/core_test.cc
  LIBS interpose_run_program)
target_compile_definitions(interpose_core_test PRIVATE
  LOCKSCOPE_CLI_PATH="$<TARGET_FILE:lockscope_cli>"
  LOCKSCOPE_CORE_PROGRAM="$<TARGET_FILE:interpose_core_program>"
  LOCKSCOPE_MIXED_PROGRAM="$<TARGET_FILE:interpose_mixed_program>")
add_dependencies(interpose_core_test lockscope_cli lockscope_preload
                 interpose_core_program interpose_mixed_program)

# A statically linked program, which `lockscope run` must refuse: only where
# the static C and C++ libraries are installed.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_LINK_OPTIONS -static)
check_cxx_source_compiles("int main() { return 0; }" LOCKSCOPE_CAN_LINK_STATIC)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(LOCKSCOPE_CAN_LINK_STATIC)
  add_executable(interpose_static_program interpose/static_program.cc)
  target_link_options(interpose_static_program PRIVATE -static)
  add_dependencies(interpose_core_test interpose_static_program)
  target_compile_definitions(interpose_core_test PRIVATE
    LOCKSCOPE_STATIC_PROGRAM="$<TARGET_FILE:interpose_static_program>")
endif()

# The other helper's pattern and hazard programs, when present.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/patterns.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/patterns.cmake)
endif()

# Condition waits and joins while holding a lock (notes), and the deadlocks
# through them the watchdog stops: a plain program run through `lockscope
# run`. Outside sanitizer builds only, as the other interposer tests.
add_executable(interpose_waits_program interpose/programs/waits.cc)
target_link_libraries(interpose_waits_program PRIVATE Threads::Threads)
target_compile_options(interpose_waits_program PRIVATE -g)
lockscope_warnings(interpose_waits_program)
if(TARGET lockscope_preload AND TARGET lockscope_cli)
  lockscope_unit_test(interpose_waits_test
    SOURCES interpose/waits_test.cc
    LIBS interpose_run_program)
  target_compile_definitions(interpose_waits_test PRIVATE
    LOCKSCOPE_WAITS_PROGRAM="$<TARGET_FILE:interpose_waits_program>")
  add_dependencies(interpose_waits_test lockscope_preload lockscope_cli
                   interpose_waits_program)
endif()
