# quarry report: the HTML report of the demo project, checked as HTML,
# its SVG charts as XML, for escaping and for external references
# (tests/report/run-report.sh).
add_test(NAME report_demo
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run-report.sh
          $<TARGET_FILE:quarry_cli> ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/report-demo)
set_tests_properties(report_demo PROPERTIES TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")

# The SVG charts on their own (core/report/svg.c needs no library).
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_svg.c
  ${PROJECT_SOURCE_DIR}/core/report/svg.c
  ${PROJECT_SOURCE_DIR}/core/report/svg_plots.c)
target_include_directories(test_svg PRIVATE ${PROJECT_SOURCE_DIR}/core/report)
target_compile_definitions(test_svg PRIVATE _GNU_SOURCE=1)

# Charts by name (quarry_report_chart, as the workbench calls them) and the
# decisions on suggestions they read (quarry_project_decided_suggestions).
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_report_charts.c)
target_link_libraries(test_report_charts PRIVATE quarry_report)
target_include_directories(test_report_charts PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/../unit)
target_compile_definitions(test_report_charts PRIVATE _GNU_SOURCE=1)
