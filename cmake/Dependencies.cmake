# Third-party dependencies. Everything comes from Debian packages that
# scripts/install-deps installs; CUDA is optional and found from nvcc.
find_package(PkgConfig REQUIRED)
# A StarPU other than the system's, e.g. the CUDA-enabled one that
# scripts/build-starpu-cuda installs: its pkg-config file is searched first,
# and binaries keep an rpath to its libraries (also once installed).
set(CF_STARPU_PREFIX "" CACHE PATH "Prefix of the StarPU installation to use (default: the system's)")
if(CF_STARPU_PREFIX)
  get_filename_component(CF_STARPU_PREFIX "${CF_STARPU_PREFIX}" ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
  if(NOT EXISTS "${CF_STARPU_PREFIX}/lib/pkgconfig/starpu-1.3.pc")
    message(FATAL_ERROR "CF_STARPU_PREFIX=${CF_STARPU_PREFIX} has no lib/pkgconfig/starpu-1.3.pc")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${CF_STARPU_PREFIX}/lib/pkgconfig:$ENV{PKG_CONFIG_PATH}")
  set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)
endif()
pkg_check_modules(STARPU REQUIRED IMPORTED_TARGET starpu-1.3)
if(CF_STARPU_PREFIX AND NOT STARPU_PREFIX STREQUAL CF_STARPU_PREFIX)
  message(FATAL_ERROR "found StarPU in ${STARPU_PREFIX}, not in CF_STARPU_PREFIX (stale cache? "
                      "delete STARPU_FOUND from CMakeCache.txt)")
endif()
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(PROTOBUFC IMPORTED_TARGET libprotobuf-c)
find_program(PROTOC_C protoc-c)
find_library(MATH_LIB m)

# StarPU's own build decides whether CUDA workers exist at run time.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_INCLUDES ${STARPU_INCLUDE_DIRS})
check_symbol_exists(STARPU_USE_CUDA "starpu_config.h" CF_STARPU_HAS_CUDA)
unset(CMAKE_REQUIRED_INCLUDES)

set(CF_HAVE_CUDA OFF)
if(CF_CUDA)
  include(CheckLanguage)
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_ARCHITECTURES 80 90)
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    find_library(NCCL_LIB nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
    set(CF_HAVE_CUDA ON)
  endif()
endif()
