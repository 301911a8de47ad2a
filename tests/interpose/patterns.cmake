# Plain programs (no lockscope include, not linked with lockscope) run
# through `lockscope run`: lock-order patterns and interposer hazards.
# Included by tests/interpose/tests.cmake. The programs always build; the
# test that runs them needs the interposer and the CLI.
enable_language(C)

function(_interpose_program name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${P_LIBS} Threads::Threads)
  # Symbols and line numbers: lock names come from the data symbols.
  target_compile_options(${name} PRIVATE -g -Wall -Wextra
                         $<$<BOOL:${LOCKSCOPE_WERROR}>:-Werror>)
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/interpose_programs)
endfunction()

find_package(Threads REQUIRED)
_interpose_program(interpose_lock_patterns
  SOURCES interpose/programs/lock_patterns.cc)
target_compile_features(interpose_lock_patterns PRIVATE cxx_std_17)
_interpose_program(interpose_lock_patterns_c
  SOURCES interpose/programs/lock_patterns_c.c)
set_target_properties(interpose_lock_patterns_c PROPERTIES C_STANDARD 11)
add_library(interpose_callback_lib SHARED interpose/programs/callback_lib.c)
target_include_directories(interpose_callback_lib PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(interpose_callback_lib PRIVATE Threads::Threads)
target_compile_options(interpose_callback_lib PRIVATE -g -Wall -Wextra
                       $<$<BOOL:${LOCKSCOPE_WERROR}>:-Werror>)
_interpose_program(interpose_callback_main
  SOURCES interpose/programs/callback_main.c
  LIBS interpose_callback_lib)
_interpose_program(interpose_hazards SOURCES interpose/programs/hazards.cc)
target_compile_features(interpose_hazards PRIVATE cxx_std_17)

# Only outside sanitizer builds (tests/CMakeLists.txt): a sanitizer runtime
# must come first in the process and refuses a preloaded library before it.
if(TARGET lockscope_preload AND TARGET lockscope_cli)
  # Each test runs programs as child processes and kills one that hangs
  # (15 s; 40 s for the churn of 16K new locks, the longest).
  lockscope_unit_test(interpose_patterns_test
    SOURCES interpose/patterns_test.cc interpose/hazards_test.cc
    LIBS interpose_run_program)
  target_compile_definitions(interpose_patterns_test PRIVATE
    LOCKSCOPE_LOCK_PATTERNS="$<TARGET_FILE:interpose_lock_patterns>"
    LOCKSCOPE_LOCK_PATTERNS_C="$<TARGET_FILE:interpose_lock_patterns_c>"
    LOCKSCOPE_CALLBACK_MAIN="$<TARGET_FILE:interpose_callback_main>"
    LOCKSCOPE_HAZARDS="$<TARGET_FILE:interpose_hazards>")
  add_dependencies(interpose_patterns_test lockscope_preload lockscope_cli
    interpose_lock_patterns interpose_lock_patterns_c interpose_callback_main
    interpose_hazards)
endif()
