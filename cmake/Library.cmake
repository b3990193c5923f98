# libcipherflow: the layers' objects combined into one shared and one static
# library, installed with headers, a pkg-config file and a CMake package.
# Benchmarks are linked into the command only, not into the library.
get_property(CF_LAYERS GLOBAL PROPERTY CF_LAYERS)
list(REMOVE_ITEM CF_LAYERS cf_bench)
list(PREPEND CF_LAYERS cf_base)

set(cf_objects "")
foreach(layer IN LISTS CF_LAYERS)
  list(APPEND cf_objects $<TARGET_OBJECTS:${layer}>)
endforeach()

set(cf_public_deps PkgConfig::STARPU PkgConfig::LIBUV PkgConfig::SODIUM
                   PkgConfig::JANSSON ${MATH_LIB})
if(PROTOBUFC_FOUND)
  list(APPEND cf_public_deps PkgConfig::PROTOBUFC)
endif()
if(CF_HAVE_CUDA)
  list(APPEND cf_public_deps CUDA::cudart)
endif()

add_library(cipherflow SHARED ${cf_objects})
add_library(cipherflow_static STATIC ${cf_objects})
set_target_properties(cipherflow PROPERTIES VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR})
set_target_properties(cipherflow_static PROPERTIES OUTPUT_NAME cipherflow)
foreach(lib cipherflow cipherflow_static)
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${lib} PUBLIC ${cf_public_deps} PRIVATE $<BUILD_INTERFACE:cf_flags>)
endforeach()
add_library(cipherflow::cipherflow ALIAS cipherflow)
add_library(cipherflow::cipherflow_static ALIAS cipherflow_static)

include(CMakePackageConfigHelpers)
install(TARGETS cipherflow cipherflow_static EXPORT cipherflowTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/cipherflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cipherflowTargets NAMESPACE cipherflow::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cipherflow)
configure_package_config_file(cmake/cipherflowConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cipherflowConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cipherflow)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cipherflowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cipherflowConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/cipherflowConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cipherflow)
# A relocatable .pc: the prefix is found from the file's own location.
file(RELATIVE_PATH CF_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(cmake/cipherflow.pc.in ${CMAKE_CURRENT_BINARY_DIR}/cipherflow.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cipherflow.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
