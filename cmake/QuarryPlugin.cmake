# quarry_add_plugin(KIND kind NAME name SOURCES a.c ... [LIBS lib ...])
#
# Builds plugins/<name> as <kind>_<name>.so (a MODULE without the "lib"
# prefix) in build/plugins, installed to lib/quarry/plugins. An OBJECT library
# <kind>_<name>_obj holds the same code, for tests that register the plugin
# statically.
function(quarry_add_plugin)
  cmake_parse_arguments(P "" "KIND;NAME" "SOURCES;LIBS" ${ARGN})
  set(stem ${P_KIND}_${P_NAME})
  add_library(${stem}_obj OBJECT ${P_SOURCES})
  target_include_directories(${stem}_obj PUBLIC
    ${PROJECT_SOURCE_DIR}/core/include)
  if(P_LIBS)
    target_link_libraries(${stem}_obj PUBLIC ${P_LIBS})
  endif()
  add_library(${stem} MODULE $<TARGET_OBJECTS:${stem}_obj>)
  target_link_libraries(${stem} PRIVATE ${stem}_obj)
  set_target_properties(${stem} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${QUARRY_PLUGIN_BUILD_DIR})
  install(TARGETS ${stem} LIBRARY DESTINATION ${QUARRY_PLUGIN_INSTALL_DIR})
  set_property(GLOBAL APPEND PROPERTY QUARRY_PLUGINS ${stem})
endfunction()
