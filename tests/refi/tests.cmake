# REFI-QDA tests. test_refi (tests/unit/test_refi.c), test_code_edit (an
# export after a codebook merge, tests/unit), test_refi_guids
# (the GUIDs of codes and users across a round trip) and test_refi_roundtrip
# (the uncoded rest, codable parents, names, positions and cases across a
# round trip) write their exports to
# the build tree; with QUARRY_REFI_SCHEMA set to the published Project.xsd
# (a CMake variable, or the environment variable of the same name when
# cmake runs), it validates the exported project.qde in process, and
# refi_xmllint checks the same file with `xmllint --schema`. Without a
# schema, refi_xmllint is skipped.
# Without either, the published schema beside the source tree (the shared
# data folder of the team) is used when it is there.
set(_refi_default_schema "$ENV{QUARRY_REFI_SCHEMA}")
if(NOT _refi_default_schema AND
   EXISTS "${PROJECT_SOURCE_DIR}/../shared/data/refi-qda/Project.xsd")
  get_filename_component(_refi_default_schema
    "${PROJECT_SOURCE_DIR}/../shared/data/refi-qda/Project.xsd" ABSOLUTE)
endif()
set(QUARRY_REFI_SCHEMA "${_refi_default_schema}" CACHE FILEPATH
    "Project.xsd of REFI-QDA, for validating exports in the tests (optional)")
set(_refi_out ${CMAKE_CURRENT_BINARY_DIR}/refi-out)

quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_guids.c)
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_roundtrip.c)
# quarry's own export back into a fresh project: ids, roles, origins,
# memo revisions, and no folder of the machine in the file.
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_own_trip.c)
# What the reader reads and never reads (paths, limits, fixtures of other
# tools' shapes).
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_read.c)
# Coding a passage: stored, shown, exported, refused, and a passage's
# selection in a .qdpx (valid, and read back by quarry as the passage).
quarry_cmocka_test(${CMAKE_CURRENT_LIST_DIR}/test_refi_passage.c)
foreach(t test_refi test_refi_guids test_refi_roundtrip test_refi_read
          test_refi_own_trip test_refi_passage test_code_edit)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES
      FIXTURES_SETUP refi_export
      ENVIRONMENT "QUARRY_PLUGIN_PATH=;CMOCKA_MESSAGE_OUTPUT=stdout;QUARRY_REFI_OUT=${_refi_out};QUARRY_REFI_SCHEMA=${QUARRY_REFI_SCHEMA}")
  endif()
endforeach()

find_program(QUARRY_XMLLINT xmllint)
if(QUARRY_XMLLINT AND QUARRY_REFI_SCHEMA AND EXISTS "${QUARRY_REFI_SCHEMA}")
  add_test(NAME refi_xmllint
    COMMAND ${QUARRY_XMLLINT} --noout --schema ${QUARRY_REFI_SCHEMA}
            ${_refi_out}/export-project.qde
            ${_refi_out}/export-from-project.qde
            ${_refi_out}/export-suggested.qde
            ${_refi_out}/export-jsonl.qde
            ${_refi_out}/export-guids.qde
            ${_refi_out}/export-guids-again.qde
            ${_refi_out}/export-guids-existing.qde
            ${_refi_out}/export-guids-tampered.qde
            ${_refi_out}/export-roundtrip.qde
            ${_refi_out}/export-roundtrip-again.qde
            ${_refi_out}/export-roundtrip-inclusive.qde
            ${_refi_out}/export-cases.qde
            ${_refi_out}/export-own-paths.qde
            ${_refi_out}/export-own-trip.qde
            ${_refi_out}/export-code-merge.qde)
  set_tests_properties(refi_xmllint PROPERTIES FIXTURES_REQUIRED refi_export)
else()
  add_test(NAME refi_xmllint COMMAND ${CMAKE_COMMAND} -E echo
           "no QUARRY_REFI_SCHEMA or no xmllint: skipped")
  set_tests_properties(refi_xmllint PROPERTIES SKIP_REGULAR_EXPRESSION "skipped")
endif()

# A benchmark program (not a test): the time of each exchange step on a
# synthetic study; run it by hand: bench_refi OUTDIR [SOURCES ...].
add_executable(bench_refi ${CMAKE_CURRENT_LIST_DIR}/bench_refi.c)
target_compile_definitions(bench_refi PRIVATE _GNU_SOURCE=1)
target_link_libraries(bench_refi PRIVATE quarry_core)
set_target_properties(bench_refi PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
