# lockscope_warnings(TARGET): the project's warning flags on one of its own
# targets (never on generated protobuf code), and the language level its own
# code is written in.
function(lockscope_warnings target)
  # C++20 unless the target pinned its own standard (the C++17 header checks).
  # A property, not a PRIVATE compile feature: clang 14 with CMake 3.25 let a
  # PUBLIC cxx_std_17 win over a PRIVATE cxx_std_20.
  get_target_property(_std ${target} CXX_STANDARD)
  if(NOT _std)
    set_target_properties(${target} PROPERTIES CXX_STANDARD 20
                                               CXX_STANDARD_REQUIRED ON)
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow
                         -Wnon-virtual-dtor -Wcast-qual -Wformat=2
                         -Wimplicit-fallthrough -Wmissing-declarations)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(LOCKSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
