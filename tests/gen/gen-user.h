/*
 * gen-user.h - a person using the phone or the laptop: browsing sessions
 * by day (few at night), each a run of page visits to a fixed pool of
 * names, a few popular and most rare, each looked up again once its DNS
 * answer has expired.
 */
#ifndef EW_GEN_USER_H
#define EW_GEN_USER_H

#include <stdint.h>

#include "gen-home.h"

#define USER_POOL_NAMES 300

/* Starts d's user; if that fails the run is marked failed. */
void user_start(struct site *st, struct device *d, uint64_t t);
/* Pool name i (< USER_POOL_NAMES) as a remote; the name lives as long as
 * the program. */
void user_pool_remote(unsigned i, struct remote *r);

#endif /* EW_GEN_USER_H */
