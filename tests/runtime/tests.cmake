# The runtime: options, and end-to-end findings with real threads.
lockscope_unit_test(options_test
  SOURCES runtime/options_test.cc
  LIBS lockscope_runtime)
lockscope_unit_test(findings_e2e_test
  SOURCES runtime/findings_e2e_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
lockscope_unit_test(watchdog_test
  SOURCES runtime/watchdog_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:watchdog_ms=100")

# Traces written by a real tracked child process, read back.
add_executable(traced_program runtime/traced_program.cc)
target_link_libraries(traced_program PRIVATE lockscope_tracked)
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

# Secure-execution mode: a setuid-root copy of setuid_program, run as nobody,
# opens no file LOCKSCOPE_OPTIONS names (issue #16).
add_executable(setuid_program runtime/setuid_program.cc)
target_link_libraries(setuid_program PRIVATE lockscope_tracked)
lockscope_warnings(setuid_program)
lockscope_unit_test(secure_mode_test
  SOURCES runtime/secure_mode_test.cc
  LIBS lockscope_runtime)
target_compile_definitions(secure_mode_test PRIVATE
  LOCKSCOPE_SETUID_PROGRAM="$<TARGET_FILE:setuid_program>")
add_dependencies(secure_mode_test setuid_program)
