# test_kmeans_exact includes plugins/kmeans/kmeans.c to reach its internals;
# the plugin's Ward path (small inputs) calls the agglomerative clusterer's
# hac.c, which the plugin compiles in, so the test compiles it in too.
if(TARGET test_kmeans_exact)
  target_sources(test_kmeans_exact PRIVATE
    ${PROJECT_SOURCE_DIR}/plugins/agglomerative/hac.c)
endif()
