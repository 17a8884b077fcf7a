# Accidents of real use, through the quarry command: eight `quarry init`
# of one name at once (twenty times), and an export whose writes fail
# (a file size limit) leaving the old file as it was. The library side
# (hot journals, locks) is tests/unit/test_project_robust.c.
add_test(NAME reliability_cli
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:quarry_cli>
          ${PROJECT_SOURCE_DIR})
set_tests_properties(reliability_cli PROPERTIES TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")
