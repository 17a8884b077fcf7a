# Tests of quarry bench beyond the golden cases: a clusterer plugin that
# aborts, hangs or fails on demand (clusterer_flaky.c), built beside the
# loader fixtures but in a folder of its own, so the loader tests that list
# the fixture folder do not see it. The golden cases reach it as
# $FIXTURES/../bench-plugins.
add_library(bench_clusterer_flaky MODULE ${CMAKE_CURRENT_LIST_DIR}/clusterer_flaky.c)
target_include_directories(bench_clusterer_flaky PRIVATE ${PROJECT_SOURCE_DIR}/core/include)
set_target_properties(bench_clusterer_flaky PROPERTIES PREFIX "" OUTPUT_NAME clusterer_flaky
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench-plugins)
