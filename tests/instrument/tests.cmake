# The public wrappers, in both modes: the same sources built untracked (the
# plain primitives, no runtime library) and tracked (with the runtime).
set(_instrument_tests instrument/wrappers_test.cc instrument/app_cell_test.cc
  instrument/layout_test.cc instrument/cond_var_test.cc)
lockscope_unit_test(instrument_plain_test
  SOURCES ${_instrument_tests}
  LIBS lockscope_instrument)
lockscope_unit_test(instrument_tracked_test
  SOURCES ${_instrument_tests}
  LIBS lockscope_tracked)

# The public headers compile as C++17 and keep the size equalities, with no
# runtime library linked (untracked), and compile as C++17 tracked.
add_executable(instrument_cxx17_plain instrument/cxx17_check.cc)
set_target_properties(instrument_cxx17_plain PROPERTIES CXX_STANDARD 17)
target_link_libraries(instrument_cxx17_plain PRIVATE lockscope_instrument)
lockscope_warnings(instrument_cxx17_plain)
add_test(NAME instrument_cxx17_plain COMMAND instrument_cxx17_plain)

add_executable(instrument_cxx17_tracked instrument/cxx17_check.cc)
set_target_properties(instrument_cxx17_tracked PROPERTIES CXX_STANDARD 17)
target_link_libraries(instrument_cxx17_tracked PRIVATE lockscope_tracked)
lockscope_warnings(instrument_cxx17_tracked)
add_test(NAME instrument_cxx17_tracked COMMAND instrument_cxx17_tracked)
set_tests_properties(instrument_cxx17_tracked PROPERTIES
  ENVIRONMENT "LOCKSCOPE_OPTIONS=trace=off")
