/* A lowered plan as an HE program of the graph layer (cipherflow/program.h). */
#ifndef CF_FRONTENDS_LAYERS_TO_PROGRAM_H
#define CF_FRONTENDS_LAYERS_TO_PROGRAM_H

#include "cipherflow/program.h"
#include "frontends/layers/he_plan.h"

/*
 * Builds the program for chain (its slots must equal the plan's): input "x"
 * at the top level, one cf_prog_linear per linear step (diagonals as inline
 * plaintexts) plus a bias addition, one Chebyshev cf_prog_poly per
 * activation, output "y". Scales and rescaling are left to the builder
 * (CF_MANAGE_AUTO); running out of levels fails with CF_ELEVEL naming the
 * layer.
 */
cf_status cf_he_plan_to_program(const cf_he_plan *p, const cf_chain *chain, cf_program **out);

/*
 * Levels each step really consumes in the graph's lowering (its polynomial
 * evaluation and rescaling), measured by building the program on a chain
 * with the most levels a chain can have. Writes p->nsteps counts to
 * step_levels and the total along the longest path to *total.
 */
cf_status cf_he_plan_measure_levels(const cf_he_plan *p, int *step_levels, int *total);

/* A test chain (insecure primes) with the plan's slots and levels + 1 primes. */
cf_status cf_he_plan_chain(const cf_he_plan *p, int levels, cf_chain *out);

#endif
