# quarry agree: every Cohen's kappa of `quarry agree --format jsonl` against
# scikit-learn's cohen_kappa_score on random label pairs (fixed seed).
# Skipped (exit 77) when Debian's python3-sklearn is not installed; the
# unit test test_agree checks the same values from tests/data/agree without
# Python.
add_test(NAME agree_sklearn
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/check_sklearn.py
          $<TARGET_FILE:quarry_cli>)
set_tests_properties(agree_sklearn PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "QUARRY_PLUGIN_PATH=")

# test_agree fails each allocation of quarry_core in turn: link it with
# wrappers around malloc, calloc and realloc (GNU ld / gold / lld).
if(TARGET test_agree AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_definitions(test_agree PRIVATE QUARRY_TEST_WRAP_MALLOC=1)
  target_link_options(test_agree PRIVATE
    -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc)
endif()
