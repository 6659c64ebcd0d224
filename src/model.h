/*
 * model.h - the behavioural model's settings and per-device-class priors,
 * read from models/scoring.yaml and models/classes.yaml.
 *
 * A device's baseline (baseline.h) counts numeric features per time bin
 * and keeps categorical profiles; this file names them and holds what the
 * scorer needs to judge them: how long learning lasts, how fast learned
 * statistics adapt, the thresholds and, per device class, priors that let
 * a device be scored from first sight (a smart plug that opens 500
 * connections a minute is anomalous on day one).
 *
 * Errors are values: model_load() returns -1 with "FILE:LINE:COL: problem"
 * in err and leaves nothing allocated.
 *
 * Ownership: struct model owns its class array; model_free() releases it.
 * Pointers returned by model_class_for() live as long as the model.
 */
#ifndef EW_MODEL_H
#define EW_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_ERRLEN 256
#define MODEL_CLASS_NAME_MAX 24 /* as device.h's class_name */
#define MODEL_MAX_CLASSES 64

/* Numeric features, counted per bin in both directions where it applies. */
enum bl_feature {
	BLF_BYTES_OUT = 0,   /* bytes the device sent */
	BLF_BYTES_IN,        /* bytes it received */
	BLF_PKTS_OUT,
	BLF_PKTS_IN,
	BLF_FLOWS_OUT,       /* flows it opened */
	BLF_FLOWS_IN,        /* flows opened to it */
	BLF_REMOTE_ADDRS,    /* distinct remote addresses it exchanged packets with */
	BLF_REMOTE_PORTS,    /* distinct server ports of the flows it opened */
	BLF_DNS_QUERIES,     /* DNS queries it sent */
	BLF_DNS_NAMES,       /* distinct names in them */
	BLF_FAILED_CONNS,    /* SYN unanswered, RST received, ICMP unreachable received */
	BLF_INTERNAL_FANOUT, /* distinct internal addresses it opened flows to */
	BLF_EXTERNAL_FANOUT, /* distinct external addresses it opened flows to */
	BLF_COUNT
};

/* Categorical profiles: bounded sets of items with counts. */
enum bl_category {
	BLC_ENDPOINT = 0, /* remote end: DNS/TLS name where known, else address */
	BLC_APP_PROTO,    /* nDPI application protocol of its flows */
	BLC_SERVER_PORT,  /* "tcp/443": server ports of the flows it opens */
	BLC_JA3,          /* its TLS ClientHello fingerprints */
	BLC_SERVICE,      /* "tcp/80": ports on which it accepts flows */
	BLC_COUNT
};

/* "bytes_out", ...; NULL out of range. */
const char *model_feature_name(enum bl_feature f);
/* The feature with this name, or -1. */
int model_feature_from_name(const char *name);
/* "endpoint", "app_proto", "server_port", "ja3", "service"; NULL out of range. */
const char *model_category_name(enum bl_category c);
int model_category_from_name(const char *name);

/* What a class of device is expected to do in one bin, per feature. */
struct model_feature_prior {
	double mean;       /* expected value per bin */
	double spread;     /* expected standard deviation per bin (> 0) */
	double min_spread; /* floor on the spread a z-score divides by, learned or not */
	double weight;     /* 0..1 share of the feature in the device score; 0 ignores it */
};

struct model_class {
	char name[MODEL_CLASS_NAME_MAX]; /* a device class, or "default" */
	struct model_feature_prior feature[BLF_COUNT];
	/* 0..1: how much a first-seen item of the category counts for this class. */
	double novelty_weight[BLC_COUNT];
};

/* Defaults, with units in the names; each is argued for in models/scoring.yaml. */
#define MODEL_DEFAULT_BIN_S 60u
#define MODEL_DEFAULT_LEARN_S 86400u
#define MODEL_DEFAULT_ADAPT_HALF_LIFE_BINS 1440u /* a day of 60 s bins */
#define MODEL_DEFAULT_FORECAST_WARMUP_BINS 30u
#define MODEL_DEFAULT_ANOMALY_SCORE 6.0
#define MODEL_DEFAULT_PRIOR_ANOMALY_SCORE 24.0
#define MODEL_DEFAULT_INCIDENT_QUIET_S 3600u
#define MODEL_DEFAULT_FORECAST_ALPHA 0.2
#define MODEL_DEFAULT_FORECAST_BETA 0.05
#define MODEL_DEFAULT_SEVERITY_MEDIUM 6.0
#define MODEL_DEFAULT_SEVERITY_HIGH 12.0
#define MODEL_DEFAULT_SEVERITY_CRITICAL 24.0
#define MODEL_DEFAULT_NOVELTY_SETTLE_BINS 240u /* four hours of 60 s bins */
#define MODEL_DEFAULT_NOVELTY_SCORE 8.0

/*
 * The priors of struct model_feature_prior (classes.yaml) are written per
 * bin of this many seconds, whatever scoring.bin says; a scorer using
 * another bin length scales them.
 */
#define MODEL_PRIOR_BIN_S 60u

/* A model file longer than this is refused unread (the shipped ones are a few tens of KiB). */
#define MODEL_FILE_MAX_BYTES (1024u * 1024u)

struct model {
	uint32_t bin_s;                 /* scoring.bin: seconds per time bin */
	uint32_t learn_s;               /* scoring.learn: seconds of a device's life spent learning */
	uint32_t adapt_half_life_bins;  /* scoring.adapt_half_life: bins for a learned mean to move halfway */
	uint32_t forecast_warmup_bins;  /* scoring.forecast.warmup: bins before the forecast answers */
	double forecast_alpha;          /* scoring.forecast.alpha: level smoothing 0..1 */
	double forecast_beta;           /* scoring.forecast.beta: trend smoothing 0..1 */
	double anomaly_score;           /* scoring.thresholds.anomaly: score at which a window is anomalous */
	double prior_anomaly_score;     /* scoring.thresholds.prior_anomaly: the same, judged on priors only */
	double severity_medium;         /* scoring.severity.medium: score from which severity is medium */
	double severity_high;           /* scoring.severity.high */
	double severity_critical;       /* scoring.severity.critical */
	uint32_t incident_quiet_s;      /* scoring.incident.quiet: an incident closes after this long without a repeat */
	uint32_t novelty_settle_bins;   /* scoring.novelty.settle: bins without a new item for a profile to count as settled */
	double novelty_score;           /* scoring.novelty.score: score of a novel item in a fully settled profile */

	struct model_class *classes; /* classes[0] is "default"; owned */
	size_t nclasses;
};

/* Built-in values: every setting's default and one "default" class. -1 on allocation failure. */
int model_init_defaults(struct model *m);

/*
 * Loads scoring.yaml and classes.yaml from dir over the defaults.  A class
 * named in classes.yaml inherits "default"'s values for what it leaves out.
 * On error -1, a message in err, *m unchanged.
 */
int model_load_dir(struct model *m, const char *dir, char err[MODEL_ERRLEN]);

/* The same from text (name is used in messages); for tests and fuzzing. */
int model_load_scoring_buffer(struct model *m, const char *name, const char *text, size_t len,
			      char err[MODEL_ERRLEN]);
int model_load_classes_buffer(struct model *m, const char *name, const char *text, size_t len,
			      char err[MODEL_ERRLEN]);

/* The class with this name, else "default" (never NULL once initialised). */
const struct model_class *model_class_for(const struct model *m, const char *class_name);

void model_free(struct model *m); /* accepts NULL */

#endif /* EW_MODEL_H */
