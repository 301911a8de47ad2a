# Reliability (docs/RELIABILITY.md): crash durability and limits of the
# runtime, the trace reader and viewer replayed over a corpus of real and
# hostile traces, the libFuzzer target, and the stress program.

# --- Durability and limits: real tracked processes (traced_program) and
# in-process scenarios with modest sizes.
if(LOCKSCOPE_SANITIZE MATCHES "undefined")
  # traced_program dereferences null on purpose (segv modes): that must reach
  # the kernel as SIGSEGV, not stop at UBSan's null check.
  target_compile_options(traced_program PRIVATE -fno-sanitize=null)
endif()
lockscope_unit_test(durability_test
  SOURCES runtime/durability_test.cc
  LIBS lockscope_collector)
target_compile_definitions(durability_test PRIVATE
  LOCKSCOPE_TRACED_PROGRAM="$<TARGET_FILE:traced_program>")
add_dependencies(durability_test traced_program)

lockscope_unit_test(limits_test
  SOURCES runtime/limits_test.cc
  LIBS lockscope_tracked lockscope_collector
  ENV "LOCKSCOPE_OPTIONS=trace=off:exitcode=0:report=off")
target_compile_definitions(limits_test PRIVATE
  LOCKSCOPE_TRACED_PROGRAM="$<TARGET_FILE:traced_program>"
  LOCKSCOPE_RUNTIME_LIBRARY="$<TARGET_FILE:lockscope_runtime>"
  LOCKSCOPE_PROTO_LIBRARY="$<TARGET_FILE:lockscope_proto>")
add_dependencies(limits_test traced_program)

# --- The trace corpus: seeds made by running real tracked programs at build
# time (never committed), plus the small hostile files under tests/data/
# (former fuzzer crashes and hand-made edge cases).
set(LOCKSCOPE_FUZZ_SEEDS "${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds")
set(_seed_programs $<TARGET_FILE:traced_program>)
set(_seed_deps traced_program)
if(TARGET lockscope_demo)
  list(APPEND _seed_programs $<TARGET_FILE:lockscope_demo>)
  list(APPEND _seed_deps lockscope_demo)
endif()
add_custom_command(
  OUTPUT "${LOCKSCOPE_FUZZ_SEEDS}/.stamp"
  COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/make_seeds.sh"
          "${LOCKSCOPE_FUZZ_SEEDS}" ${_seed_programs}
  DEPENDS ${_seed_deps} "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/make_seeds.sh"
  COMMENT "Recording seed traces for the trace corpus"
  VERBATIM)
add_custom_target(lockscope_fuzz_seeds ALL
  DEPENDS "${LOCKSCOPE_FUZZ_SEEDS}/.stamp")

# What the fuzzer runs per input, as a library for the replay test.
add_library(lockscope_trace_exercise STATIC fuzz/trace_exercise.cc)
target_include_directories(lockscope_trace_exercise PUBLIC
  ${PROJECT_SOURCE_DIR})
target_link_libraries(lockscope_trace_exercise PUBLIC lockscope_collector)
if(TARGET lockscope_viewer)
  target_link_libraries(lockscope_trace_exercise PUBLIC lockscope_viewer
                                                        CLI11::CLI11)
  target_compile_definitions(lockscope_trace_exercise PRIVATE
    LOCKSCOPE_FUZZ_VIEWER)
endif()
lockscope_warnings(lockscope_trace_exercise)

lockscope_unit_test(trace_corpus_test
  SOURCES fuzz/trace_corpus_test.cc
  LIBS lockscope_trace_exercise lockscope_collector)
target_compile_definitions(trace_corpus_test PRIVATE
  LOCKSCOPE_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data"
  LOCKSCOPE_FUZZ_SEEDS="${LOCKSCOPE_FUZZ_SEEDS}")
add_dependencies(trace_corpus_test lockscope_fuzz_seeds)

# --- libFuzzer (clang only). The analysis, trace I/O and viewer are compiled a
# second time from their own targets' source lists, with coverage and
# ASan+UBSan, so the ordinary libraries and tests stay uninstrumented.
option(LOCKSCOPE_BUILD_FUZZERS "Build the libFuzzer targets (clang only)" OFF)
set(_fuzz_flags -fsanitize=address,undefined -fno-sanitize-recover=all
                -fno-omit-frame-pointer
                -fsanitize-coverage-ignorelist=${CMAKE_CURRENT_SOURCE_DIR}/fuzz/coverage_ignorelist.txt)

# lockscope_fuzz_clone(TARGET OUT [REPLACE old=new...]): OUT is TARGET's
# sources built again as a static library with coverage instrumentation.
function(lockscope_fuzz_clone target out)
  get_target_property(dir ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  set(absolute)
  foreach(source IN LISTS sources)
    if(IS_ABSOLUTE "${source}")
      list(APPEND absolute "${source}")
    else()
      list(APPEND absolute "${dir}/${source}")
    endif()
  endforeach()
  add_library(${out} STATIC ${absolute})
  target_include_directories(${out} PUBLIC ${PROJECT_SOURCE_DIR})
  get_target_property(libs ${target} LINK_LIBRARIES)
  foreach(pair IN LISTS ARGN)
    string(REPLACE "=" ";" pair "${pair}")
    list(GET pair 0 old)
    list(GET pair 1 new)
    list(TRANSFORM libs REPLACE "^${old}$" "${new}")
  endforeach()
  target_link_libraries(${out} PUBLIC ${libs})
  get_target_property(defs ${target} COMPILE_DEFINITIONS)
  if(defs)
    target_compile_definitions(${out} PRIVATE ${defs})
  endif()
  target_compile_options(${out} PRIVATE -fsanitize=fuzzer-no-link
                                        ${_fuzz_flags})
  lockscope_warnings(${out})
endfunction()

if(LOCKSCOPE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(WARNING "LOCKSCOPE_BUILD_FUZZERS needs clang; no fuzzers built")
  elseif(LOCKSCOPE_SANITIZE MATCHES "thread")
    message(WARNING "LOCKSCOPE_BUILD_FUZZERS does not combine with TSan")
  else()
    lockscope_fuzz_clone(lockscope_analysis lockscope_analysis_fuzz)
    lockscope_fuzz_clone(lockscope_trace_io lockscope_trace_io_fuzz
                         lockscope_analysis=lockscope_analysis_fuzz)
    lockscope_fuzz_clone(lockscope_viewer lockscope_viewer_fuzz
                         lockscope_analysis=lockscope_analysis_fuzz
                         lockscope_trace_io=lockscope_trace_io_fuzz)
    add_executable(trace_reader_fuzzer
      fuzz/trace_reader_fuzzer.cc fuzz/trace_exercise.cc)
    target_include_directories(trace_reader_fuzzer PRIVATE
      ${PROJECT_SOURCE_DIR})
    target_link_libraries(trace_reader_fuzzer PRIVATE
      lockscope_viewer_fuzz lockscope_trace_io_fuzz lockscope_analysis_fuzz
      CLI11::CLI11)
    target_compile_definitions(trace_reader_fuzzer PRIVATE
      LOCKSCOPE_FUZZ_VIEWER)
    target_compile_options(trace_reader_fuzzer PRIVATE -fsanitize=fuzzer
                                                       ${_fuzz_flags})
    target_link_options(trace_reader_fuzzer PRIVATE -fsanitize=fuzzer
                                                    ${_fuzz_flags})
    lockscope_warnings(trace_reader_fuzzer)
    add_dependencies(trace_reader_fuzzer lockscope_fuzz_seeds)
    # Each seed and regression input once (-runs=0 replays the corpus).
    add_test(NAME trace_reader_fuzzer_replay
      COMMAND trace_reader_fuzzer -runs=0
              "${LOCKSCOPE_FUZZ_SEEDS}" "${CMAKE_CURRENT_SOURCE_DIR}/data")
    set_tests_properties(trace_reader_fuzzer_replay PROPERTIES
      ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1" TIMEOUT 300)
  endif()
endif()

# --- The stress program (large sizes; run by scripts/stress.sh, not ctest).
add_executable(lockscope_stress stress/stress_main.cc)
target_include_directories(lockscope_stress PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(lockscope_stress PRIVATE lockscope_tracked
                                               lockscope_collector)
lockscope_warnings(lockscope_stress)
# Locks in loops and handed between threads: beyond the analysis, on purpose.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(lockscope_stress PRIVATE -Wno-thread-safety-analysis)
endif()
