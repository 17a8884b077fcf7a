# quarry review: decisions applied from files (golden cases that need a
# project, tests/review/cases), and the interactive screen driven in a real
# terminal through tmux (skipped, 77, when tmux is missing).
add_executable(review_check ${CMAKE_CURRENT_LIST_DIR}/review_check.c)
target_compile_definitions(review_check PRIVATE _GNU_SOURCE=1)
target_link_libraries(review_check PRIVATE quarry_core PkgConfig::SQLITE3)

add_test(NAME review_decisions
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run-decisions.sh
          $<TARGET_FILE:quarry_cli> $<TARGET_FILE:review_check>
          ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/review-decisions)
set_tests_properties(review_decisions PROPERTIES TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")

add_test(NAME review_terminal
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run-terminal.sh
          $<TARGET_FILE:quarry_cli> $<TARGET_FILE:review_check>
          ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/review-terminal)
set_tests_properties(review_terminal PROPERTIES TIMEOUT 300
  SKIP_RETURN_CODE 77 ENVIRONMENT "QUARRY_PLUGIN_PATH=")

# The review queue of an interactive session (core/src/project/project_queue.c).
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_review_queue.c)
target_include_directories(test_review_queue PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/../unit)
