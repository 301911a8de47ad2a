# The runtime: options, and end-to-end findings with real threads.
lockscope_unit_test(options_test
  SOURCES runtime/options_test.cc
  LIBS lockscope_runtime)
lockscope_unit_test(findings_e2e_test
  SOURCES runtime/findings_e2e_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
# The symbolizer (runtime/symbolizer.h) against this very binary; it lives
# in liblockscope.so, which exports namespace lockscope::runtime.
lockscope_unit_test(symbolizer_test
  SOURCES runtime/symbolizer_test.cc
  LIBS lockscope_runtime)
lockscope_unit_test(watchdog_test
  SOURCES runtime/watchdog_test.cc
  LIBS lockscope_tracked absl::synchronization
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:watchdog_ms=100")

# Traces written by a real tracked child process, read back.
add_executable(traced_program runtime/traced_program.cc)
target_link_libraries(traced_program PRIVATE lockscope_tracked
                                             absl::synchronization)
lockscope_warnings(traced_program)
lockscope_unit_test(trace_e2e_test
  SOURCES runtime/trace_e2e_test.cc
  LIBS lockscope_collector)
target_compile_definitions(trace_e2e_test PRIVATE
  LOCKSCOPE_TRACED_PROGRAM="$<TARGET_FILE:traced_program>")
add_dependencies(trace_e2e_test traced_program)

lockscope_unit_test(exit_status_test
  SOURCES runtime/exit_status_test.cc
  LIBS GTest::gtest)
target_compile_definitions(exit_status_test PRIVATE
  LOCKSCOPE_TRACED_PROGRAM="$<TARGET_FILE:traced_program>")
add_dependencies(exit_status_test traced_program)

# errno survives every slow path, traced at events=all. Each test process
# removes its own trace (errno_test.cc).
lockscope_unit_test(errno_test
  SOURCES runtime/errno_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=/tmp/lockscope-errno-test.%p.lstrace:events=all:exitcode=0")

# One runtime per process: a cycle whose halves live in two shared libraries.
foreach(_half left right)
  add_library(two_libraries_${_half} SHARED runtime/two_libraries/${_half}.cc)
  target_include_directories(two_libraries_${_half} PRIVATE
                             ${PROJECT_SOURCE_DIR})
  target_link_libraries(two_libraries_${_half} PUBLIC lockscope_tracked)
  lockscope_warnings(two_libraries_${_half})
endforeach()
lockscope_unit_test(two_libraries_test
  SOURCES runtime/two_libraries_test.cc
  LIBS two_libraries_left two_libraries_right
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
