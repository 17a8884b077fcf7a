# quarry report: the HTML report of the demo project, checked as HTML,
# its SVG charts as XML, for escaping and for external references
# (tests/report/run-report.sh).
add_test(NAME report_demo
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run-report.sh
          $<TARGET_FILE:quarry_cli> ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/report-demo)
set_tests_properties(report_demo PROPERTIES TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")
