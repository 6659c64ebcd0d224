/*
 * gen-flood.h - the flood scenario: distinct SYNs from distinct sources.
 */
#ifndef EW_GEN_FLOOD_H
#define EW_GEN_FLOOD_H

#include "gen-scenario.h"

/* opt->flows SYNs (default GEN_FLOOD_FLOWS); returns 0 or -1. */
int flood_run(const struct gen_options *opt, const struct gen_output *out);

#endif /* EW_GEN_FLOOD_H */
