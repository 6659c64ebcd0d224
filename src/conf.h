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

#include <stdbool.h>
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
#define EW_DEFAULT_THRESHOLD_PERCENT 100u /* the model's thresholds as they are */
#define EW_CONF_MAX_CIDRS 64 /* address blocks in one list */
#define EW_CONF_MAX_LIST_ITEMS 64      /* strings in one string list */
#define EW_CONF_MAX_LIST_ITEM_BYTES 256 /* longest string in a string list */

/* output: the queue between the packet thread and the output thread */
#define EW_DEFAULT_OUTPUT_QUEUE_EVENTS 65536u
#define EW_DEFAULT_OUTPUT_QUEUE_MIB 64u
/* output.syslog */
#define EW_DEFAULT_SYSLOG_FACILITY 16u /* local0 (RFC 5424 facility code) */
#define EW_DEFAULT_SYSLOG_APP_NAME "edgewatch"
/* output.redis */
#define EW_DEFAULT_REDIS_CONNECT_TIMEOUT_MS 1000u
#define EW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS 1000u
#define EW_DEFAULT_REDIS_ALERTS_STREAM "edgewatch:alerts"
#define EW_DEFAULT_REDIS_EVENTS_STREAM "edgewatch:events"
#define EW_DEFAULT_REDIS_MAXLEN 100000u /* entries, approximate (XADD MAXLEN ~) */
#define EW_DEFAULT_REDIS_SPOOL_MIB 256u
/* quarantine */
#define EW_DEFAULT_QUARANTINE_STREAM "edgewatch:quarantine"
#define EW_DEFAULT_QUARANTINE_ENFORCEMENT_STREAM "edgewatch:enforcement"
#define EW_DEFAULT_QUARANTINE_MIN_SEVERITY 3u /* high */
#define EW_DEFAULT_QUARANTINE_TTL_S 3600u
#define EW_DEFAULT_QUARANTINE_MAX_PER_HOUR 5u
/* daemon, stats and the live capture (the -i options' defaults: capture-live.h) */
#define EW_DEFAULT_DAEMON_USER "edgewatch"
#define EW_DEFAULT_STATS_INTERVAL_S 60u
#define EW_DEFAULT_CAPTURE_SNAPLEN 262144u  /* whole packets, as tcpdump */
#define EW_DEFAULT_CAPTURE_BUFFER_MIB 64u   /* kernel ring: ~0.5 s of a busy gigabit port */

/* quarantine.action's values (the index stored in ew_conf.quarantine_action). */
enum ew_quarantine_action { EW_QUARANTINE_ISOLATE = 0, EW_QUARANTINE_RESTRICT = 1 };

/* output.privacy's values (the index stored in ew_conf.output_privacy; docs/privacy.md). */
enum ew_output_privacy {
	EW_PRIVACY_FULL = 0,          /* lines as built */
	EW_PRIVACY_PSEUDONYMISED = 1, /* inside identities replaced by keyed hashes */
	EW_PRIVACY_MINIMAL = 2,       /* pseudonyms, and names and free text dropped */
};

/*
 * A list of strings from the configuration (quarantine.causes,
 * quarantine.allow): n NUL-terminated copies, each 1..EW_CONF_MAX_LIST_ITEM_BYTES
 * bytes without a NUL inside, at most EW_CONF_MAX_LIST_ITEMS of them.  Owned by
 * struct ew_conf (conf_free() releases it); a zeroed list is a valid empty one.
 */
struct ew_string_list {
	char **v;
	size_t n;
};

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
	uint32_t threshold_percent; /* detection.threshold_percent: the model's score thresholds, scaled */
	char *policy_file;     /* policy.file: segmentation policy; NULL = none; --policy overrides */

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

	/* output: delivery to the sinks (output-queue.h, output-syslog.h, output-redis.h) */
	uint32_t output_queue_events; /* output.queue_events: lines waiting at most */
	uint32_t output_queue_mib;    /* output.queue_bytes: MiB of line text waiting at most */
	bool syslog_enabled;          /* output.syslog.enabled */
	char *syslog_target;          /* output.syslog.target; NULL = local /dev/log */
	uint32_t syslog_facility;     /* output.syslog.facility: RFC 5424 code 0 kern .. 23 local7 */
	char *syslog_app_name;        /* output.syslog.app_name, never NULL after a load */
	char *redis_url;              /* output.redis.url; NULL = no Redis output */
	char *redis_user;             /* output.redis.user; NULL = the default user */
	char *redis_password_file;    /* output.redis.password_file; NULL = none (or the environment) */
	uint32_t redis_connect_timeout_ms; /* output.redis.connect_timeout_ms */
	uint32_t redis_command_timeout_ms; /* output.redis.command_timeout_ms */
	char *redis_alerts_stream;    /* output.redis.alerts_stream, never NULL after a load */
	char *redis_events_stream;    /* output.redis.events_stream, never NULL after a load */
	uint32_t redis_maxlen;        /* output.redis.maxlen: XADD MAXLEN ~ entries */
	char *redis_channel;          /* output.redis.channel; NULL = no PUBLISH */
	uint32_t redis_spool_mib;     /* output.redis.spool_mib: on-disk journal cap; 0 = none */
	uint32_t output_privacy;      /* output.privacy: enum ew_output_privacy */
	char *output_privacy_key_file; /* output.privacy_key_file; NULL = none */

	/* quarantine: requests to enforcement points (docs/redis.md) */
	bool quarantine_enabled;             /* quarantine.enabled */
	bool quarantine_dry_run;             /* quarantine.dry_run */
	char *quarantine_stream;             /* quarantine.stream, never NULL after a load */
	char *quarantine_enforcement_stream; /* quarantine.enforcement_stream, never NULL */
	char *quarantine_key_file;           /* quarantine.key_file; NULL = none */
	char *quarantine_sensor_id;          /* quarantine.sensor_id; NULL = the host name */
	uint32_t quarantine_min_severity;    /* quarantine.min_severity: 0 info .. 4 critical */
	struct ew_string_list quarantine_causes; /* quarantine.causes: "anomaly" or rule ids */
	uint32_t quarantine_action;          /* quarantine.action: enum ew_quarantine_action */
	uint32_t quarantine_ttl_s;           /* quarantine.ttl */
	bool quarantine_release_on_close;    /* quarantine.release_on_close */
	struct ew_string_list quarantine_allow; /* quarantine.allow: "mac:..", "ip:CIDR", "class:..", "name:GLOB" */
	uint32_t quarantine_max_per_hour;    /* quarantine.max_per_hour; 0 = never send */

	/* daemon: the live sensor's process (privsep.h) */
	char *daemon_user;        /* daemon.user: who the sensor runs as after start */
	bool daemon_allow_root;   /* daemon.allow_root: keep running as root (warned) */
	char *daemon_pid_file;    /* daemon.pid_file; NULL = none */

	/* stats: the `stats` event */
	uint32_t stats_interval_s; /* stats.interval; 0 = only at exit and on SIGUSR1 */

	/* capture: the live capture (-i and its options override) */
	char *capture_interface;   /* capture.interface; NULL = none (-i IFACE) */
	uint32_t capture_snaplen;  /* capture.snaplen: bytes kept of each packet */
	uint32_t capture_buffer_mib; /* capture.buffer_mib: kernel ring */
	bool capture_promiscuous;  /* capture.promiscuous */
	bool capture_immediate;    /* capture.immediate: deliver each packet at once */
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

/* Whether l holds exactly the string s. */
bool conf_string_list_has(const struct ew_string_list *l, const char *s);

/*
 * A reload (SIGHUP): fresh is the newly loaded configuration, running the
 * one in force, which others may be borrowing.  Every setting the table
 * marks reloadable is exchanged between the two, field by field, so
 * running holds the new values and fresh the old ones (free fresh with
 * conf_free() afterwards; running's addresses do not change).  For every
 * setting whose value differs, changed(ctx, key, applied) is called in
 * table order, applied false for a setting that only a restart can
 * change (its running value stays).  Returns the number of reloadable
 * settings that changed.  Never fails: nothing is allocated.
 */
size_t conf_take_reloadable(struct ew_conf *running, struct ew_conf *fresh,
			    void (*changed)(void *ctx, const char *key, bool applied), void *ctx);

/* Releases strings owned by conf; accepts NULL.  conf may be reused after conf_init_defaults(). */
void conf_free(struct ew_conf *conf);

#endif /* EW_CONF_H */
