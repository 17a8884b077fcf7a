# Benchmark programs (not tests: they print what they measure and assert
# nothing). They link the static core to reach its internals.
foreach(_bench bench_kernel bench_reduce bench_phases bench_floor)
  add_executable(${_bench} ${CMAKE_CURRENT_LIST_DIR}/${_bench}.c)
  target_compile_definitions(${_bench} PRIVATE _GNU_SOURCE=1)
  target_link_libraries(${_bench} PRIVATE quarry_core)
  set_target_properties(${_bench} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endforeach()
target_link_libraries(bench_floor PRIVATE PkgConfig::JANSSON)
