# Fuzz harnesses (tests/fuzz/fuzz_<name>.c) over the readers, the REFI-QDA
# imports and decisions files, and the allocation-failure test.
#
# With QUARRY_FUZZ=ON (clang) each harness links libFuzzer and its test
# replays the seed corpus once (-runs=0); run one for longer by hand, see
# tests/fuzz/README.md. Without it (every other build, gcc included) each
# harness gets fuzz_replay.c as its main(), and its test replays every seed
# whole and cut short.
set(QUARRY_FUZZ_HARNESSES jsonl csv transcript codebook qde qdpx qdc decisions)
set(_fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
set(_fuzz_out ${CMAKE_CURRENT_BINARY_DIR}/fuzz)

# What the harnesses (and alloc_fail) share, compiled once.
add_library(quarry_fuzz_util STATIC ${_fuzz_dir}/fuzz_util.c)
target_compile_definitions(quarry_fuzz_util PUBLIC _GNU_SOURCE=1)
target_include_directories(quarry_fuzz_util PUBLIC ${_fuzz_dir})
target_link_libraries(quarry_fuzz_util PUBLIC quarry_core)

foreach(h ${QUARRY_FUZZ_HARNESSES})
  set(t fuzz_${h})
  if(QUARRY_FUZZ)
    add_executable(${t} ${_fuzz_dir}/${t}.c)
    target_link_options(${t} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${t} COMMAND ${t} -runs=0 ${_fuzz_dir}/corpus/${h})
  else()
    add_executable(${t} ${_fuzz_dir}/${t}.c ${_fuzz_dir}/fuzz_replay.c)
    add_test(NAME ${t} COMMAND ${t} ${_fuzz_dir}/corpus/${h})
  endif()
  target_link_libraries(${t} PRIVATE quarry_fuzz_util)
  set_target_properties(${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${_fuzz_out})
  set_tests_properties(${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "QUARRY_PLUGIN_PATH=")
endforeach()

# Allocation-failure test: quarry's own allocations are replaced at link
# time (--wrap), SQLite's, jansson's and libxml2's through their hooks.
# Under ASan, stacks are unwound through libxml2 (built without frame
# pointers) so that the suppression of its own leak can match.
add_executable(alloc_fail ${_fuzz_dir}/alloc_fail.c ${_fuzz_dir}/failalloc.c)
target_link_libraries(alloc_fail PRIVATE quarry_fuzz_util)
target_link_options(alloc_fail PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup)
set_target_properties(alloc_fail PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${_fuzz_out})
add_test(NAME alloc_fail COMMAND alloc_fail ${PROJECT_SOURCE_DIR})
# Under ASan every case (the .qdpx imports above all: about 3,500
# allocations each, one run per failure point) took 14.4 minutes in all on
# a quiet 2-core machine; the time-out guards against a hang, not speed.
set_tests_properties(alloc_fail PROPERTIES TIMEOUT 1800
  ENVIRONMENT "QUARRY_PLUGIN_PATH=;LSAN_OPTIONS=suppressions=${_fuzz_dir}/lsan.supp;ASAN_OPTIONS=fast_unwind_on_malloc=0")

# The same for themes with coded excerpts (suggest inside), every N.
add_executable(alloc_fail_themes ${_fuzz_dir}/alloc_fail_themes.c ${_fuzz_dir}/failalloc.c)
target_link_libraries(alloc_fail_themes PRIVATE quarry_fuzz_util)
target_compile_definitions(alloc_fail_themes PRIVATE
  QUARRY_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_options(alloc_fail_themes PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup)
set_target_properties(alloc_fail_themes PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${_fuzz_out})
add_test(NAME alloc_fail_themes
  COMMAND alloc_fail_themes ${QUARRY_PLUGIN_BUILD_DIR})
set_tests_properties(alloc_fail_themes PROPERTIES TIMEOUT 300
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${_fuzz_dir}/lsan.supp;ASAN_OPTIONS=fast_unwind_on_malloc=0")
