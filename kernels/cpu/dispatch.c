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

bool cf_cpu_avx512_available(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return cf_cpu_avx2_available() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512ifma");
#else
  return false;
#endif
}

/* The cap set by the environment: CIPHERFLOW_PORTABLE=1 or CIPHERFLOW_CPU=NAME. */
static cf_cpu_path env_cap(void) {
  const char *portable = getenv("CIPHERFLOW_PORTABLE");
  if (portable && strcmp(portable, "1") == 0) return CF_CPU_PORTABLE;
  const char *cpu = getenv("CIPHERFLOW_CPU");
  if (cpu && strcmp(cpu, "portable") == 0) return CF_CPU_PORTABLE;
  if (cpu && strcmp(cpu, "avx2") == 0) return CF_CPU_AVX2;
  return CF_CPU_AVX512;
}

__attribute__((constructor)) static void choose_path(void) {
  cf_cpu_path best = cf_cpu_avx512_available() ? CF_CPU_AVX512
                     : cf_cpu_avx2_available() ? CF_CPU_AVX2
                                               : CF_CPU_PORTABLE;
  cf_cpu_path cap = env_cap();
  active_path = best < cap ? best : cap;
}

cf_cpu_path cf_cpu_path_active(void) { return active_path; }

const char *cf_cpu_path_name(cf_cpu_path path) {
  switch (path) {
  case CF_CPU_AVX512: return "avx512";
  case CF_CPU_AVX2: return "avx2";
  default: return "portable";
  }
}
