# The workbench page in a real browser (tests/browser/browser_test.py):
# headless Chromium driven by Selenium codes two excerpts by keyboard
# through `quarry serve`, the project is checked with `quarry export`, and
# a screenshot of each page is left in browser/screens/ of the build folder.
# Skipped (77) only where Chromium cannot start.

add_test(NAME browser_workbench
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/browser_test.py
          $<TARGET_FILE:quarry_cli> ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/tests/browser)
set_tests_properties(browser_workbench PROPERTIES TIMEOUT 300
  SKIP_RETURN_CODE 77
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")

