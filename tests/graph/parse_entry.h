/* The parser entry point shared by the libFuzzer harness and the mutation
 * test: parses, and for accepted input checks that printing round-trips. */
#ifndef CF_TESTS_GRAPH_PARSE_ENTRY_H
#define CF_TESTS_GRAPH_PARSE_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* 0 if the input was rejected cleanly or round-trips; 1 on a broken invariant. */
int parse_entry(const uint8_t *data, size_t size);

#endif
