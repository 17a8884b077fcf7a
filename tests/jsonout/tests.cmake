# The command's JSON writer (core/cli/json_out.c) against jansson. The
# CLI's sources are not in the static library: the test compiles the
# writer's file itself.
add_executable(test_json_out ${CMAKE_CURRENT_LIST_DIR}/test_json_out.c
  ${PROJECT_SOURCE_DIR}/core/cli/json_out.c)
target_include_directories(test_json_out PRIVATE ${PROJECT_SOURCE_DIR}/core/cli)
target_compile_definitions(test_json_out PRIVATE _GNU_SOURCE=1)
target_link_libraries(test_json_out PRIVATE PkgConfig::JANSSON
  PkgConfig::CMOCKA m)
add_test(NAME test_json_out COMMAND test_json_out)
set_tests_properties(test_json_out PROPERTIES TIMEOUT 300
  ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")

# What the writer costs beside jansson (a benchmark: prints, asserts
# nothing), into the build folder.
add_executable(bench_json_out ${CMAKE_CURRENT_LIST_DIR}/bench_json_out.c
  ${PROJECT_SOURCE_DIR}/core/cli/json_out.c)
target_include_directories(bench_json_out PRIVATE ${PROJECT_SOURCE_DIR}/core/cli)
target_compile_definitions(bench_json_out PRIVATE _GNU_SOURCE=1)
target_link_libraries(bench_json_out PRIVATE PkgConfig::JANSSON m)
set_target_properties(bench_json_out PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
