# Integration: the installed package as an out-of-tree project sees it
# (find_package, lockscope_add_test, the whole-run gate, pkg-config), and the
# GoogleTest listener.

# --- The GoogleTest listener -------------------------------------------------
# The same program built tracked and untracked, as C++17 (the public headers'
# standard); the test runs both as child processes, because a test that is
# meant to fail cannot run in-process.
add_executable(gtest_listener_tracked integration/gtest_listener_program.cc)
target_link_libraries(gtest_listener_tracked PRIVATE lockscope_tracked
                                                     GTest::gtest)
lockscope_warnings(gtest_listener_tracked)
add_executable(gtest_listener_plain integration/gtest_listener_program.cc)
target_link_libraries(gtest_listener_plain PRIVATE lockscope_instrument
                                                   GTest::gtest)
lockscope_warnings(gtest_listener_plain)
set_target_properties(gtest_listener_tracked gtest_listener_plain PROPERTIES
  CXX_STANDARD 17)
lockscope_unit_test(gtest_listener_test
  SOURCES integration/gtest_listener_test.cc)
target_compile_definitions(gtest_listener_test PRIVATE
  LOCKSCOPE_LISTENER_TRACKED="$<TARGET_FILE:gtest_listener_tracked>"
  LOCKSCOPE_LISTENER_PLAIN="$<TARGET_FILE:gtest_listener_plain>"
  LOCKSCOPE_LISTENER_SOURCE="${CMAKE_CURRENT_SOURCE_DIR}/integration/gtest_listener_program.cc")
add_dependencies(gtest_listener_test gtest_listener_tracked
                 gtest_listener_plain)

# --- The installed package ---------------------------------------------------
# integration_install installs this build tree into a scratch prefix (a
# fixture); the consumer and pkg-config tests build against that prefix. They
# need the libraries and the CLI built (the default target builds them).
set(_lockscope_it_dir ${CMAKE_CURRENT_BINARY_DIR}/integration)
set(_lockscope_it_prefix ${_lockscope_it_dir}/prefix)
# Flags the installed static libraries were built with that a consumer must
# share to link them.
set(_lockscope_it_cxx_flags "")
set(_lockscope_it_link_flags "")
if(LOCKSCOPE_SANITIZE)
  set(_lockscope_it_cxx_flags
      "-fsanitize=${LOCKSCOPE_SANITIZE} -fno-omit-frame-pointer")
  set(_lockscope_it_link_flags "-fsanitize=${LOCKSCOPE_SANITIZE}")
endif()

add_test(NAME integration_install
  COMMAND ${CMAKE_COMMAND}
          -DBUILD_DIR=${PROJECT_BINARY_DIR}
          -DPREFIX=${_lockscope_it_prefix}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/integration/install_prefix.cmake)
set_tests_properties(integration_install PROPERTIES
  FIXTURES_SETUP lockscope_installed_prefix TIMEOUT 300)

add_test(NAME integration_consumer
  COMMAND ${CMAKE_COMMAND}
          -DPREFIX=${_lockscope_it_prefix}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/examples/consumer
          -DWORK_DIR=${_lockscope_it_dir}/consumer
          -DGENERATOR=${CMAKE_GENERATOR}
          -DCXX=${CMAKE_CXX_COMPILER}
          -DCXX_FLAGS=${_lockscope_it_cxx_flags}
          -DLINK_FLAGS=${_lockscope_it_link_flags}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/integration/consumer_test.cmake)
set_tests_properties(integration_consumer PROPERTIES
  FIXTURES_REQUIRED lockscope_installed_prefix TIMEOUT 900)

add_test(NAME integration_pkgconfig
  COMMAND ${CMAKE_COMMAND}
          -DPREFIX=${_lockscope_it_prefix}
          -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/integration/pkgconfig_program.cc
          -DWORK_DIR=${_lockscope_it_dir}/pkgconfig
          -DCXX=${CMAKE_CXX_COMPILER}
          -DCXX_FLAGS=${_lockscope_it_cxx_flags}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/integration/pkgconfig_test.cmake)
set_tests_properties(integration_pkgconfig PROPERTIES
  FIXTURES_REQUIRED lockscope_installed_prefix TIMEOUT 300)
