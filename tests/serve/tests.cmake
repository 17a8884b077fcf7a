# quarry serve: the workbench's server end to end with curl -- the
# security rules, every endpoint, two servers on one project, a server
# killed in a burst of writes (tests/serve/run_serve.py).
add_test(NAME serve_api
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/run_serve.py
          $<TARGET_FILE:quarry_cli> ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/serve-api)
set_tests_properties(serve_api PROPERTIES TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")
