/*
 * gen-benign.h - a home that lives for days: the long-running site of the
 * benign and attacks scenarios.
 *
 * Each device's habits are a script (periodic events with a random phase
 * per site and jitter per repetition, some only while the household is
 * up) plus actors for what keeps state: persistent cloud sessions with
 * heartbeats (the camera's also with a steady upload and motion clips),
 * reconnecting every few hours; speakers that stream music at times; and
 * people browsing on the phone and the laptop (gen-user.h).  Every actor
 * emits one short step at a time, so a run of days needs constant memory.
 */
#ifndef EW_GEN_BENIGN_H
#define EW_GEN_BENIGN_H

#include <stddef.h>
#include <stdint.h>

#include "gen-home.h"

/* The long-running script, n entries. */
const struct event_def *benign_script(size_t *n);

/* d's persistent TLS session with cloud cl: a heartbeat every period_s
 * (+- 1/30); the camera's beats carry a status upload and, now and then,
 * a motion clip of a few megabytes; closed and reopened every few hours. */
void session_start(struct site *st, struct device *d, int cl, uint32_t period_s, uint64_t t);
/* Speaker d streams music from cloud cl at times, mostly mornings and
 * evenings. */
void audio_start(struct site *st, struct device *d, int cl, uint64_t t);

#endif /* EW_GEN_BENIGN_H */
