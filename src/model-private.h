/*
 * model-private.h - what the model's two loaders share with each other,
 * and nothing else includes:
 *
 *   model-load.c     the document walk, numbers, and scoring.yaml
 *   model-classes.c  classes.yaml: the per-class priors
 *
 * (model.c holds the vocabulary, the built-in values and the reading of
 * a directory; model.h is the module's one public header.)
 */
#ifndef EW_MODEL_PRIVATE_H
#define EW_MODEL_PRIVATE_H

#include <stdbool.h>

#include "model.h"
#include "util-yaml.h"

/* Room for a dotted key, NUL included ("classes.building-controller.features..."). */
#define MODEL_KEY_MAX 96

/* Bounds of a real: [lo, hi], or (lo, hi] when lo_open. */
struct model_real_range {
	double lo, hi;
	bool lo_open;
};

/*
 * The scalar ev as a real within r into *out; key names it in messages.
 * Reals are written [-]D[.D][e[+-]D], the integer part without a leading
 * zero: no .inf, .nan, hexadecimal, "1_000" or "+5", so a value means
 * what it looks like and is never infinite or NaN.
 */
int model_read_real(struct yread *y, const char *key, const yaml_event_t *ev,
		    const struct model_real_range *r, double *out);

/*
 * Both passes over a model file in y (at most MODEL_FILE_MAX_BYTES): the
 * safety checks, then the one-key document rk describes, its value read
 * by rk->read(ld, ...).
 */
int model_load_document(struct yread *y, const struct yread_root_key *rk, void *ld);

#endif /* EW_MODEL_PRIVATE_H */
