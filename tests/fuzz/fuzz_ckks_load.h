/* The CKKS deserialization fuzz target, shared by libFuzzer and the corpus test. */
#ifndef CF_TESTS_FUZZ_CKKS_LOAD_H
#define CF_TESTS_FUZZ_CKKS_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/ckks.h"

/* The toy context every input is loaded against (created once). */
const cf_ckks_context *cf_fuzz_context(void);

/*
 * data[0] holds flags, the rest is a serialized object. Flag 1 rewrites the
 * payload length and checksum, flag 2 the parameter fingerprint, so that
 * mutations reach the payload parsers instead of stopping at the envelope.
 * Every loader is tried; returns how many accepted the input (each accepted
 * object is destroyed again).
 */
int cf_fuzz_ckks_load(const uint8_t *data, size_t size);

#endif
