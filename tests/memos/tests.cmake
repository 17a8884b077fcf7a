# Memos across REFI-QDA (issue 12): test_refi_memos exports a project with
# memos on the project, a code and excerpts, validates the project.qde
# against Project.xsd when QUARRY_REFI_SCHEMA (the CMake variable, else
# the environment variable) names it (the published
# schema beside the source tree when it is there), imports it into a new
# project and checks every memo came back with its author and time.
set(_memo_schema "${QUARRY_REFI_SCHEMA}")
if(NOT _memo_schema)
  set(_memo_schema "$ENV{QUARRY_REFI_SCHEMA}")
endif()
if(NOT _memo_schema AND
   EXISTS "${PROJECT_SOURCE_DIR}/../shared/data/refi-qda/Project.xsd")
  get_filename_component(_memo_schema
    "${PROJECT_SOURCE_DIR}/../shared/data/refi-qda/Project.xsd" ABSOLUTE)
endif()
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_memos.c)
set_tests_properties(test_refi_memos PROPERTIES
  ENVIRONMENT "QUARRY_PLUGIN_PATH=;CMOCKA_MESSAGE_OUTPUT=stdout;QUARRY_REFI_SCHEMA=${_memo_schema}")
