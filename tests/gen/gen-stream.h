/*
 * gen-stream.h - long-lived flows: cloud keep-alives, MQTT, RTSP video.
 *
 * Each start function schedules an actor on st's run; if that fails the
 * run is marked failed.
 */
#ifndef EW_GEN_STREAM_H
#define EW_GEN_STREAM_H

#include <stdint.h>

#include "gen-home.h"

/* d's persistent TLS connection to cloud cl, a heartbeat every ~period_s. */
void keepalive_start(struct site *st, struct device *d, int cl, uint32_t period_s, uint64_t t);
/* The Shelly's MQTT 3.1.1 session: CONNECT, SUBSCRIBE, then power
 * readings and PINGREQs about every 30 s. */
void mqtt_start(struct site *st, uint64_t t);
/* Home Assistant streams from the camera for seconds (0: the whole run,
 * the main stream as a recorder takes it). */
void rtsp_start(struct site *st, uint64_t t, uint32_t seconds);

#endif /* EW_GEN_STREAM_H */
