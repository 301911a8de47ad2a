# Helpers every test folder uses: a scratch directory, whole-file reads and
# writes, and child processes (tests/testing/*.h). No GoogleTest inside, so a
# plain program (the stress program) may link it too.
add_library(lockscope_testing STATIC
  testing/child_process.cc
  testing/files.cc
  testing/temp_dir.cc)
target_include_directories(lockscope_testing PUBLIC ${PROJECT_SOURCE_DIR})
lockscope_warnings(lockscope_testing)

lockscope_unit_test(child_process_test SOURCES testing/child_process_test.cc)
lockscope_unit_test(files_test SOURCES testing/files_test.cc)
