/*
 * conf.h - edgewatch's configuration: one table of keys, loaded from YAML.
 *
 * Every setting is a row of one table in conf.c: its dotted key
 * ("flow.timeouts.tcp"), type, default (a named constant with its unit),
 * bounds and whether a reload may change it.  The documented default
 * configuration is embedded in the binary (conf_default_yaml()) so that
 * no file is needed to run; `edgewatch --dump-config` prints it.
 *
 * Errors are values: conf_load_*() return -1 and leave a one-line message
 * "FILE:LINE:COL: problem" in err; nothing is printed here.
 *
 * Ownership: struct ew_conf owns its strings and address lists; conf_free()
 * releases them.
 * conf_init_defaults() must be called before any load.
 */
#ifndef EW_CONF_H
#define EW_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "util-cidr.h"

#define EW_CONF_ERRLEN 256
#define EW_CONF_MAX_STRING 4096 /* longest string value accepted */

/* Defaults, with units in the names. */
#define EW_DEFAULT_MAX_FLOWS 131072u
#define EW_DEFAULT_TCP_TIMEOUT_S 600u
#define EW_DEFAULT_TCP_NEW_TIMEOUT_S 30u
#define EW_DEFAULT_TCP_CLOSED_TIMEOUT_S 10u
#define EW_DEFAULT_UDP_TIMEOUT_S 60u
#define EW_DEFAULT_ICMP_TIMEOUT_S 30u
#define EW_DEFAULT_OTHER_TIMEOUT_S 60u
#define EW_DEFAULT_DPI_MAX_PACKETS 32u
#define EW_DEFAULT_DPI_MAX_ACTIVE 65536u
#define EW_DEFAULT_OUTPUT_FILE "-" /* stdout */
#define EW_DEFAULT_MAX_DEVICES 4096u
#define EW_DEFAULT_DEVICE_GONE_AFTER_S 3600u
#define EW_DEFAULT_MIN_SEVERITY 2u /* medium */
#define EW_CONF_MAX_CIDRS 64 /* address blocks in one list */

struct ew_conf {
	/* flow: the flow table */
	uint32_t max_flows;            /* flow.max_flows */
	uint32_t tcp_timeout_s;        /* flow.timeouts.tcp (established) */
	uint32_t tcp_new_timeout_s;    /* flow.timeouts.tcp_new (no answer yet) */
	uint32_t tcp_closed_timeout_s; /* flow.timeouts.tcp_closed (FIN both ways or RST) */
	uint32_t udp_timeout_s;        /* flow.timeouts.udp */
	uint32_t icmp_timeout_s;       /* flow.timeouts.icmp */
	uint32_t other_timeout_s;      /* flow.timeouts.other */

	/* dpi: nDPI protocol detection */
	uint32_t dpi_max_packets; /* dpi.max_packets: give up after this many per flow */
	uint32_t dpi_max_active;  /* dpi.max_active: flows with detection state at once */

	/* device: the device table */
	uint32_t max_devices;      /* device.max_devices */
	uint32_t gone_after_s;     /* device.gone_after: unseen this long is "gone"; 0 never */
	char *device_rules;        /* device.rules: fingerprint rules file; NULL = installed default */

	/* state: what survives restarts */
	/* detection: behavioural models and rules */
	char *detection_rules; /* detection.rules; NULL = installed default; --detections overrides */
	char *models_dir;      /* detection.models; NULL = installed default; --models overrides */
	uint32_t min_severity; /* detection.min_severity: 0 info .. 4 critical */

	char *state_dir; /* state.directory, NULL when unset; --state-dir overrides */

	/*
	 * network: what is "ours".  home_networks (network.home_networks) is
	 * the one definition of local: devices are addresses inside it, and
	 * senders from outside it are routers.  dns_servers
	 * (network.dns_servers): the resolvers devices are expected to use;
	 * empty means any.
	 */
	struct ew_cidr_list home_networks, dns_servers;

	/* capture / output */
	char *bpf_filter;  /* capture.filter, NULL when unset; -f overrides */
	char *output_file; /* output.file, "-" = stdout; -o overrides */
};

/*
 * Fills conf with the table's defaults; conf's previous contents are
 * ignored, so conf_free() it first if it holds strings.  Never fails: if
 * a default string cannot be allocated, that field is left NULL.
 */
void conf_init_defaults(struct ew_conf *conf);

/*
 * Loads YAML text over the current values.  `name` is used in error
 * messages.  On error returns -1, writes "name:line:col: problem" into err
 * and leaves *conf unchanged (the load works on a copy).
 */
int conf_load_buffer(struct ew_conf *conf, const char *name, const char *text,
		     size_t len, char err[EW_CONF_ERRLEN]);

/* Same, reading the file at path. */
int conf_load_file(struct ew_conf *conf, const char *path, char err[EW_CONF_ERRLEN]);

/* The embedded, documented default configuration (NUL-terminated YAML). */
const char *conf_default_yaml(void);

/* Releases strings owned by conf; accepts NULL.  conf may be reused after conf_init_defaults(). */
void conf_free(struct ew_conf *conf);

#endif /* EW_CONF_H */
