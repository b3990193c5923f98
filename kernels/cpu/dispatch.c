#include "kernels/cpu/dispatch.h"

#include <stdlib.h>
#include <string.h>

/* The one global of the kernels: written once at load time, read-only afterwards. */
static cf_cpu_path active_path = CF_CPU_PORTABLE;

bool cf_cpu_avx2_available(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

__attribute__((constructor)) static void choose_path(void) {
  const char *env = getenv("CIPHERFLOW_PORTABLE");
  bool forced = env && strcmp(env, "1") == 0;
  active_path = (!forced && cf_cpu_avx2_available()) ? CF_CPU_AVX2 : CF_CPU_PORTABLE;
}

cf_cpu_path cf_cpu_path_active(void) { return active_path; }

const char *cf_cpu_path_name(cf_cpu_path path) { return path == CF_CPU_AVX2 ? "avx2" : "portable"; }
