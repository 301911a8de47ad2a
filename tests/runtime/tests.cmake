# The runtime: options, and end-to-end findings with real threads.
lockscope_unit_test(options_test
  SOURCES runtime/options_test.cc
  LIBS lockscope_runtime absl::strings)
# docs/options.md against runtime/options.inc.
lockscope_unit_test(options_doc_test
  SOURCES runtime/options_doc_test.cc
  LIBS lockscope_runtime absl::strings)
target_compile_definitions(options_doc_test PRIVATE
  LOCKSCOPE_OPTIONS_DOC="${PROJECT_SOURCE_DIR}/docs/options.md")
# The Session's parts on their own.
lockscope_unit_test(runtime_parts_test
  SOURCES runtime/runtime_parts_test.cc
  LIBS lockscope_runtime lockscope_collector absl::synchronization)
lockscope_unit_test(findings_e2e_test
  SOURCES runtime/findings_e2e_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
# The event ring on its own: a producer and a consumer at once (also in the
# ThreadSanitizer job, scripts/ci-tsan.sh).
lockscope_unit_test(event_ring_test
  SOURCES runtime/event_ring_test.cc
  LIBS lockscope_collector)
# The symbolizer (collector/trace/symbolizer.h) against this very binary.
lockscope_unit_test(symbolizer_test
  SOURCES runtime/symbolizer_test.cc
  LIBS lockscope_trace_io)
# Condition waits: wait-while-holding notes and the watchdog's view of them,
# scanned synchronously (runtime/test_only.h); the watchdog thread runs (so
# waits are published) with a period no test reaches.
lockscope_unit_test(waits_test
  SOURCES runtime/waits_test.cc
  LIBS lockscope_tracked absl::synchronization
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off:watchdog_ms=3600000")
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

# errno survives every slow path, traced at events=all. The trace goes to
# this build directory, never a fixed path shared by concurrent runs; each
# test process removes its own (errno_test.cc).
lockscope_unit_test(errno_test
  SOURCES runtime/errno_test.cc
  LIBS lockscope_tracked
  ENV "LOCKSCOPE_OPTIONS=trace=${CMAKE_CURRENT_BINARY_DIR}/errno_test.%p.lstrace:events=all:exitcode=0")
target_compile_definitions(errno_test PRIVATE
  LOCKSCOPE_ERRNO_TRACE_DIR="${CMAKE_CURRENT_BINARY_DIR}")

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

# Secure-execution mode: a setuid-root copy of setuid_program, run as nobody,
# opens no file LOCKSCOPE_OPTIONS names (issue #16).
# Everything lockscope is linked in (the runtime's, the collector's and the
# schema's objects, no lockscope shared library): a setuid program finds no
# library through $ORIGIN or LD_LIBRARY_PATH, and the build tree may sit in a
# directory that nobody cannot enter.
add_executable(setuid_program runtime/setuid_program.cc
  $<TARGET_OBJECTS:lockscope_runtime_objects>
  $<TARGET_OBJECTS:lockscope_proto_objects>)
target_compile_definitions(setuid_program PRIVATE TRACK_THREAD_BORROWS)
target_include_directories(setuid_program PRIVATE ${PROJECT_SOURCE_DIR}
  ${PROJECT_SOURCE_DIR}/instrument)
target_link_libraries(setuid_program PRIVATE
  $<TARGET_FILE:lockscope_trace_io> $<TARGET_FILE:lockscope_analysis>
  protobuf::libprotobuf
  PkgConfig::LIBUNWIND PkgConfig::LIBDW absl::synchronization
  absl::raw_logging_internal absl::status absl::statusor absl::strings
  absl::str_format absl::hash absl::raw_hash_set Threads::Threads
  ${CMAKE_DL_LIBS})
add_dependencies(setuid_program lockscope_trace_io lockscope_analysis)
lockscope_warnings(setuid_program)
lockscope_unit_test(secure_mode_test
  SOURCES runtime/secure_mode_test.cc
  LIBS lockscope_runtime absl::strings)
target_compile_definitions(secure_mode_test PRIVATE
  LOCKSCOPE_SETUID_PROGRAM="$<TARGET_FILE:setuid_program>")
add_dependencies(secure_mode_test setuid_program)

# lock_order=FILE end to end: `lockscope order` from a clean run, the
# runtime and `check --lock-order` on a run that breaks it, bad files.
add_executable(lock_order_program runtime/lock_order_program.cc)
target_link_libraries(lock_order_program PRIVATE lockscope_tracked)
lockscope_warnings(lock_order_program)
lockscope_unit_test(lock_order_test
  SOURCES runtime/lock_order_test.cc
  LIBS GTest::gtest)
target_compile_definitions(lock_order_test PRIVATE
  LOCKSCOPE_LOCK_ORDER_PROGRAM="$<TARGET_FILE:lock_order_program>"
  LOCKSCOPE_CLI_PATH="$<TARGET_FILE:lockscope_cli>")
add_dependencies(lock_order_test lock_order_program lockscope_cli)
# The sites findings name: both ends of an edge, user frames first, every
# outstanding borrow (sites_program run as a child process).
add_executable(sites_program runtime/sites_program.cc)
target_link_libraries(sites_program PRIVATE lockscope_tracked)
lockscope_warnings(sites_program)
lockscope_unit_test(sites_e2e_test
  SOURCES runtime/sites_e2e_test.cc
  LIBS lockscope_collector)
target_compile_definitions(sites_e2e_test PRIVATE
  LOCKSCOPE_SITES_PROGRAM="$<TARGET_FILE:sites_program>")
add_dependencies(sites_e2e_test sites_program)
