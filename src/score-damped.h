/*
 * score-damped.h - damped incremental statistics of a stream of
 * (time, value) at several time scales at once (the idea of Kitsune's
 * "AfterImage" feature extractor).
 *
 * For each decay rate lambda of damped_lambda[] a scale keeps a weight w,
 * a linear sum LS and a squared sum SS.  Each update first decays all
 * three by 2^(-lambda * dt), dt the seconds since the last update, then
 * adds (1, x, x^2).  So a scale is a window that forgets with a half-life
 * of 1/lambda seconds: lambda 5 sees the last fraction of a second,
 * lambda 0.01 the last few minutes.  O(DAMPED_NSCALES) per update, no
 * memory beyond the struct, no pointers (saved to disk as is).
 *
 * Hostile input: an update with a NaN or infinite x is ignored entirely;
 * finite x is clamped to +-DAMPED_X_MAX.  A time earlier than the last
 * update counts as the last update's time (no negative decay, so a clock
 * that steps back cannot grow the weights).
 *
 * Ownership: plain structs owned by the caller.  damped_pairs_get()
 * returns a pointer into the caller's struct damped_pairs, valid until
 * the next damped_pairs_get() on it (which may reuse the slot).
 */
#ifndef EW_SCORE_DAMPED_H
#define EW_SCORE_DAMPED_H

#include <stdint.h>

#include "packet.h"

/* Largest magnitude of a value; its square stays far from overflow. */
#define DAMPED_X_MAX 1e15

#define DAMPED_NSCALES 5
extern const double damped_lambda[DAMPED_NSCALES]; /* per second: 5, 3, 1, 0.1, 0.01 */

struct damped {
	double w[DAMPED_NSCALES], ls[DAMPED_NSCALES], ss[DAMPED_NSCALES];
	ew_usec_t last_us; /* time of the last update; 0: never */
};

void damped_init(struct damped *d);

/* Decays to ts then adds one observation of value x.  ts earlier than last_us is treated as last_us. */
void damped_update(struct damped *d, ew_usec_t ts, double x);

/*
 * Two damped_update()s at the same time, (a, xa) and (b, xb): streams
 * updated together (a packet's size and the gap before it) share the
 * decay factors, worked out once.  The same result as two calls.
 */
void damped_update2(struct damped *a, double xa, struct damped *b, double xb, ew_usec_t ts);

/*
 * Scale i as seen at now (decayed, without changing d): weight, mean and
 * standard deviation of x.  For a steady stream of r events/s the weight
 * is r / (lambda ln 2): the events of the last 1.44 / lambda seconds (the
 * window's mean lifetime).  With a weight below 1e-9 (nothing seen, or
 * all forgotten) mean and sd are 0.  now earlier than last_us counts as
 * last_us.  i out of range gives all zeros.  Any output may be NULL.
 */
void damped_read(const struct damped *d, ew_usec_t now, unsigned i, double *weight, double *mean,
		 double *sd);

/*
 * Events per second at scale i: weight * lambda * ln 2.  The constant: a
 * stream of r events/s adds weight r dt in dt and loses lambda ln2 w dt
 * (d/dt 2^(-lambda t) = -lambda ln2 2^(-lambda t)), so its steady-state
 * weight is r / (lambda ln 2).  Read right after an event the value is
 * slightly high, right before one slightly low (each event adds 1 at
 * once); averaged over time it is exact.  For r = 10/s at lambda 5 the
 * swing is 8.4 .. 11.8 and the value half-way between events 9.95.
 */
double damped_rate(const struct damped *d, ew_usec_t now, unsigned i);

/*
 * A device-destination pair: damped statistics of the packets between a
 * device and one remote end (both ways), at three scales (half-lives
 * 0.2 s, 1 s and 100 s: a burst, a second, minutes): their rate and size,
 * and the gaps between them (jitter).  Weights are kept apart for the
 * gaps (a pair's first packet has none).  152 bytes, no pointers: a
 * device keeps eight of them and touches one per packet, so it is kept
 * small rather than written as two struct damped.
 */
#define DAMPED_PAIR_NSCALES 3
extern const double damped_pair_lambda[DAMPED_PAIR_NSCALES]; /* per second: 5, 1, 0.01 */
#define DAMPED_PAIR_RATE_SCALE 1 /* lambda 1: the scale a pair's rate is judged on */

/*
 * The sums of one scale, side by side, so that an update is six
 * multiply-adds by one decay factor (the compiler pairs them).
 */
enum damped_pair_sum {
	DPS_W = 0, /* weight: packets */
	DPS_LS,    /* their sizes, summed */
	DPS_SS,    /* squared */
	DPS_GW,    /* weight of the gaps (one fewer: the first packet has none) */
	DPS_GLS,   /* gaps in seconds, summed */
	DPS_GSS,   /* squared */
	DPS_COUNT
};
struct damped_pair {
	double s[DAMPED_PAIR_NSCALES][DPS_COUNT];
	ew_usec_t last_us; /* time of the last packet; 0: none yet */
};

/* One packet of `size` bytes at ts; its gap is the time since the last one (none for the first). */
void damped_pair_update(struct damped_pair *p, ew_usec_t ts, double size);

/* The packet rate of scale i at now (as damped_rate()); cheap right after an update. */
double damped_pair_rate(const struct damped_pair *p, ew_usec_t now, unsigned i);

/* Scale i of a pair at now: rate (packets/s), size and gap mean and sd (0 when unknown). */
struct damped_pair_view {
	double rate, size_mean, size_sd, gap_mean, gap_sd;
};
void damped_pair_read(const struct damped_pair *p, ew_usec_t now, unsigned i,
		      struct damped_pair_view *v);

/*
 * A device's pairs for the few remote ends it talks to most, bounded.  The
 * keys sit apart from the statistics, so that finding a pair (every
 * packet) reads one cache line.
 */
#define DAMPED_PAIRS 8
struct damped_pairs {
	uint64_t key[DAMPED_PAIRS];
	struct damped_pair p[DAMPED_PAIRS];
	uint8_t n;         /* pairs in use: [0..n) */
	uint32_t replaced; /* pairs evicted for a new key, saturating */
};

void damped_pairs_init(struct damped_pairs *dp);

/*
 * The pair for key, created if new: when full it replaces the pair whose
 * last packet is oldest (a pair not updated yet counts as oldest; among
 * equals the lowest index), counted.  A new pair is empty.  Never NULL.
 */
struct damped_pair *damped_pairs_get(struct damped_pairs *dp, uint64_t key);

/* The pair for key, or NULL; changes nothing. */
struct damped_pair *damped_pairs_find(struct damped_pairs *dp, uint64_t key);

#endif /* EW_SCORE_DAMPED_H */
