#include "scheduler/policies.h"

#include <string.h>

#include <starpu_heteroprio.h>

#include "base/error.h"
#include "scheduler/cf_policy.h"

static struct starpu_sched_policy *const own[] = {&cf_sched_affinity_policy,
                                                  &cf_sched_critpath_policy};
#define NOWN (sizeof own / sizeof own[0])

/* StarPU's policies whose decisions read the performance models. */
static const char *const model_users[] = {"dm",
                                          "dmda",
                                          "dmdap",
                                          "dmdar",
                                          "dmdas",
                                          "dmdasd",
                                          "pheft",
                                          "heft",
                                          "modular-heft",
                                          "modular-heft-prio",
                                          "modular-heft2",
                                          "modular-heteroprio-heft",
                                          "modular-pheft"};

/* Policies of StarPU 1.3.10 refused because they do not work here:
 * modular-heteroprio-heft leaves every task queued with idle CPU workers,
 * with or without bucket set-up and priorities (tests/tasks). */
static const char *const refused[] = {"modular-heteroprio-heft"};

static bool is_refused(const char *name) {
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    if (!strcmp(refused[i], name)) return true;
  return false;
}

static bool is_heteroprio(const char *name) { return strstr(name, "heteroprio") != NULL; }

/* heteroprio keeps one task bucket per priority level and asserts unless
 * every bucket has an architecture. Workers scan buckets from mapping index
 * 0, so higher priorities map to lower indices. */
static void heteroprio_setup(unsigned ctx) {
  starpu_heteroprio_set_nb_prios(ctx, STARPU_CPU_IDX, CF_SCHED_HETEROPRIO_LEVELS);
  for (unsigned i = 0; i < CF_SCHED_HETEROPRIO_LEVELS; i++) {
    starpu_heteroprio_set_mapping(ctx, STARPU_CPU_IDX, i, CF_SCHED_HETEROPRIO_LEVELS - 1 - i);
    starpu_heteroprio_set_faster_arch(ctx, STARPU_CPU_IDX, i);
  }
  starpu_sched_ctx_set_min_priority(ctx, 0);
  starpu_sched_ctx_set_max_priority(ctx, CF_SCHED_HETEROPRIO_LEVELS - 1);
}

size_t cf_sched_policy_names(const char **names, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < NOWN; i++, n++)
    if (n < cap) names[n] = own[i]->policy_name;
  struct starpu_sched_policy **p = starpu_sched_get_predefined_policies();
  for (; p && *p; p++) {
    if (is_refused((*p)->policy_name)) continue;
    if (n < cap) names[n] = (*p)->policy_name;
    n++;
  }
  return n;
}

static struct starpu_sched_policy *find(const char *name, bool *ours) {
  for (size_t i = 0; i < NOWN; i++)
    if (!strcmp(own[i]->policy_name, name)) return *ours = true, own[i];
  struct starpu_sched_policy **p = starpu_sched_get_predefined_policies();
  for (; p && *p; p++)
    if (!strcmp((*p)->policy_name, name)) return *ours = false, *p;
  return NULL;
}

const char *cf_sched_policy_description(const char *name) {
  bool ours;
  struct starpu_sched_policy *p = name ? find(name, &ours) : NULL;
  return p ? p->policy_description : NULL;
}

cf_status cf_sched_policy_check(const char *name) {
  bool ours;
  if (name && is_refused(name))
    return CF_FAIL(CF_EUNSUPPORTED,
                   "scheduling policy '%s' is refused: with this StarPU it leaves tasks queued "
                   "forever on CPU workers; use heteroprio or modular-heteroprio instead",
                   name);
  if (name && find(name, &ours)) return CF_OK;
  char list[1024] = "";
  const char *names[128];
  size_t n = cf_sched_policy_names(names, 128);
  for (size_t i = 0; i < n && i < 128; i++) {
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
  }
  return CF_FAIL(CF_ENOTFOUND, "unknown scheduling policy '%s'; choose one of: %s",
                 name ? name : "(null)", list);
}

cf_status cf_sched_policy_choose(const char *name, cf_sched_choice *out) {
  if (!out) return CF_FAIL(CF_EINVAL, "policy choice: NULL output");
  CF_TRY(cf_sched_policy_check(name));
  bool ours = false;
  struct starpu_sched_policy *p = find(name, &ours);
  memset(out, 0, sizeof *out);
  out->name = p->policy_name;
  out->policy = ours ? p : NULL;
  out->init = is_heteroprio(name) ? heteroprio_setup : NULL;
  for (size_t i = 0; i < sizeof model_users / sizeof model_users[0]; i++)
    if (!strcmp(model_users[i], name)) out->uses_model = true;
  return CF_OK;
}
