/*
 * conf.c - the configuration table and its YAML loader (see conf.h).
 *
 * Every setting is one row of conf_table below: defaults, bounds and the
 * loader's checks all follow from it.  Adding a setting means a field in
 * struct ew_conf, a row here, a commented entry in conf-default.c and a
 * section in docs/configuration.md.
 *
 * The loader reads libyaml's event stream twice, through util-yaml.h
 * (which also says why each of its checks exists).  The first pass,
 * yread_check(), only decides whether the text is YAML we are willing to
 * interpret: well formed, no NUL byte, no anchors or aliases, no tags and
 * no nesting deeper than CONF_MAX_DEPTH.  The second pass, this file's
 * own, walks the mappings, joins keys into dotted names
 * ("flow.timeouts.tcp") and converts each scalar as its row says.  Both
 * stop at the first problem, so an error is always one line.  The second
 * pass writes into a deep copy that replaces *conf only when the whole
 * text is good.
 *
 * Deliberately not supported: merge keys, several documents in one file,
 * and YAML 1.1's number spellings (0x10, 010 as octal, 1_000, +5).  A
 * value means what it looks like.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util-yaml.h"

/*
 * A configuration file is a few KiB.  Refusing anything past 1 MiB keeps
 * a wrong path (a pcap, /dev/zero) from being read into memory whole.
 */
#define CONF_FILE_MAX_BYTES (1024u * 1024u)

/*
 * Real keys nest three levels deep.  The limit leaves room for that and
 * stops input such as "[[[[[[..." from growing libyaml's internal stacks
 * with the input size (libyaml 0.2.5 has no nesting limit of its own).
 */
#define CONF_MAX_DEPTH 8

/* Room for a dotted key, NUL included; the longest real key has 31 bytes. */
#define CONF_KEY_MAX 64

/* Bounds, each with its reason. */
#define CONF_MAX_FLOWS_LIMIT 16777216u /* 2^24 flows: several GiB of records */
#define CONF_TIMEOUT_MAX_S 86400u      /* a day; longer only pins dead flows */
#define CONF_CLOSED_TIMEOUT_MAX_S 3600u /* a closed TCP flow has nothing left to say */
#define CONF_DPI_MAX_PACKETS_LIMIT 255u /* struct flow counts them in 8 bits */
#define CONF_DPI_MAX_ACTIVE_LIMIT CONF_MAX_FLOWS_LIMIT /* never more than flows */
#define CONF_MAX_DEVICES_LIMIT 1048576u /* 2^20 devices: a very large site, ~1 GiB worst case */
#define CONF_GONE_AFTER_MAX_S 31536000u /* a year */
/* 2^24 lines or 4 GiB waiting: far past what a sensor should hold in memory. */
#define CONF_QUEUE_EVENTS_LIMIT 16777216u
#define CONF_QUEUE_MIB_LIMIT 4096u
#define CONF_TIMEOUT_MS_LIMIT 60000u     /* a minute: longer only hides a dead server */
#define CONF_REDIS_MAXLEN_LIMIT 1000000000u /* 10^9 entries: beyond any Redis memory */
#define CONF_SPOOL_MIB_LIMIT 65536u      /* 64 GiB of journal */
#define CONF_QUARANTINE_TTL_MIN_S 60u    /* shorter than a minute flaps the device */
#define CONF_QUARANTINE_TTL_MAX_S 604800u /* a week: longer needs a person, not a timer */
#define CONF_QUARANTINE_PER_HOUR_LIMIT 10000u
#define CONF_SENSOR_ID_MAX 64u           /* the request contract's bound (docs/redis.md) */
#define CONF_USER_NAME_MAX 32u           /* useradd's limit on a Linux user name */
#define CONF_STATS_INTERVAL_MAX_S 86400u /* a day: a health report rarer than that is none */
#define CONF_IFNAME_MAX 15u              /* IFNAMSIZ (16) less the NUL */
#define CONF_SNAPLEN_MIN 64u             /* Ethernet, IPv6 and TCP headers with options */
#define CONF_SNAPLEN_MAX 262144u         /* libpcap's own ceiling */
#define CONF_BUFFER_MIB_MAX 2047u        /* pcap_set_buffer_size() takes an int of bytes */

/*
 * Value types.  CONF_CIDR_LIST and CONF_STRING_LIST take a YAML sequence
 * (conf_set_cidr_list, conf_set_string_list); the others take scalars.
 */
enum conf_type {
	CONF_UINT32, /* uint32_t: plain decimal within [min, max] */
	CONF_BOOL,   /* bool: true/false, yes/no, on/off */
	CONF_STRING, /* char *, owned: length within [min, max] bytes; with
		      * min 0, an empty or null value means unset (NULL) */
	CONF_CIDR_LIST, /* struct ew_cidr_list, owned: a sequence of address
			 * blocks, [min, max] of them; null is an empty list */
	CONF_ENUM,      /* uint32_t: the index of one of the setting's names */
	CONF_STRING_LIST, /* struct ew_string_list, owned: a sequence of [min, max]
			   * strings, each 1..EW_CONF_MAX_LIST_ITEM_BYTES bytes;
			   * null is an empty list */
};

struct conf_setting {
	const char *key;     /* dotted path in the YAML text */
	enum conf_type type;
	size_t offset;       /* of the field in struct ew_conf */
	uint32_t def;        /* default of CONF_UINT32 and CONF_BOOL */
	const char *def_str; /* default of CONF_STRING; NULL = unset */
	const char *const *def_list; /* default of CONF_CIDR_LIST and CONF_STRING_LIST,
				      * NULL-terminated */
	const char *const *names;    /* CONF_ENUM: the values, NULL-terminated; def indexes them */
	uint32_t min, max;   /* value bounds, or string length bounds */
	bool reloadable;     /* may a running sensor take a new value? */
	const char *help;    /* one line; the full story is in conf-default.c */
};

#define CONF_U32(k, field, d, lo, hi, rel, h)                                           \
	{ .key = (k), .type = CONF_UINT32, .offset = offsetof(struct ew_conf, field),   \
	  .def = (d), .min = (lo), .max = (hi), .reloadable = (rel), .help = (h) }
#define CONF_STR(k, field, d, minlen, rel, h)                                           \
	{ .key = (k), .type = CONF_STRING, .offset = offsetof(struct ew_conf, field),   \
	  .def_str = (d), .min = (minlen), .max = EW_CONF_MAX_STRING, .reloadable = (rel), \
	  .help = (h) }
#define CONF_STR_MAX(k, field, d, minlen, maxlen, rel, h)                               \
	{ .key = (k), .type = CONF_STRING, .offset = offsetof(struct ew_conf, field),   \
	  .def_str = (d), .min = (minlen), .max = (maxlen), .reloadable = (rel), .help = (h) }
#define CONF_BOOL_(k, field, d, rel, h)                                                 \
	{ .key = (k), .type = CONF_BOOL, .offset = offsetof(struct ew_conf, field),     \
	  .def = (d), .reloadable = (rel), .help = (h) }
#define CONF_STRS(k, field, d, rel, h)                                                  \
	{ .key = (k), .type = CONF_STRING_LIST, .offset = offsetof(struct ew_conf, field), \
	  .def_list = (d), .min = 0, .max = EW_CONF_MAX_LIST_ITEMS, .reloadable = (rel),  \
	  .help = (h) }

#define CONF_ENUM_(k, field, nm, d, rel, h)                                             \
	{ .key = (k), .type = CONF_ENUM, .offset = offsetof(struct ew_conf, field),     \
	  .names = (nm), .def = (d), .reloadable = (rel), .help = (h) }

#define CONF_CIDRS(k, field, d, minn, rel, h)                                          \
	{ .key = (k), .type = CONF_CIDR_LIST, .offset = offsetof(struct ew_conf, field), \
	  .def_list = (d), .min = (minn), .max = EW_CONF_MAX_CIDRS, .reloadable = (rel),  \
	  .help = (h) }

/*
 * The private and link-local blocks: where a home's devices live unless
 * the operator says otherwise (conf-default.c says why each is there).
 */
/* detection.min_severity's values, in rising order (as enum ew_severity). */
static const char *const conf_severity_names[] = {
	"info", "low", "medium", "high", "critical", NULL,
};

static const char *const conf_home_networks_default[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
	"fc00::/7",   "fe80::/10",     NULL,
};
static const char *const conf_empty_list[] = { NULL };

/* output.syslog.facility: RFC 5424's facility codes 0..23, each at its own index. */
static const char *const conf_facility_names[] = {
	"kern", "user",  "mail",  "daemon", "auth",   "syslog", "lpr",    "news",
	"uucp", "cron",  "authpriv", "ftp", "ntp",    "audit",  "alert",  "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL,
};

/* output.privacy's values, as enum ew_output_privacy. */
static const char *const conf_privacy_names[] = { "full", "pseudonymised", "minimal", NULL };

/* quarantine.action's values, as enum ew_quarantine_action. */
static const char *const conf_quarantine_action_names[] = { "isolate", "restrict", NULL };

/* The causes that may ask for quarantine by default (conf-default.c says why). */
static const char *const conf_quarantine_causes_default[] = {
	"anomaly", "mirai-syn-seq", "arp-spoof", NULL,
};

static const struct conf_setting conf_table[] = {
	CONF_U32("flow.max_flows", max_flows, EW_DEFAULT_MAX_FLOWS, 1, CONF_MAX_FLOWS_LIMIT,
		 false, "flows tracked at once; the longest idle is evicted beyond this"),
	CONF_U32("flow.timeouts.tcp", tcp_timeout_s, EW_DEFAULT_TCP_TIMEOUT_S, 1,
		 CONF_TIMEOUT_MAX_S, false, "seconds an established TCP flow may be idle"),
	CONF_U32("flow.timeouts.tcp_new", tcp_new_timeout_s, EW_DEFAULT_TCP_NEW_TIMEOUT_S, 1,
		 CONF_TIMEOUT_MAX_S, false, "seconds a TCP flow may wait for an answer"),
	CONF_U32("flow.timeouts.tcp_closed", tcp_closed_timeout_s,
		 EW_DEFAULT_TCP_CLOSED_TIMEOUT_S, 0, CONF_CLOSED_TIMEOUT_MAX_S, false,
		 "seconds a TCP flow lingers after FIN both ways or RST"),
	CONF_U32("flow.timeouts.udp", udp_timeout_s, EW_DEFAULT_UDP_TIMEOUT_S, 1,
		 CONF_TIMEOUT_MAX_S, false, "seconds a UDP flow may be idle"),
	CONF_U32("flow.timeouts.icmp", icmp_timeout_s, EW_DEFAULT_ICMP_TIMEOUT_S, 1,
		 CONF_TIMEOUT_MAX_S, false, "seconds an ICMP flow may be idle"),
	CONF_U32("flow.timeouts.other", other_timeout_s, EW_DEFAULT_OTHER_TIMEOUT_S, 1,
		 CONF_TIMEOUT_MAX_S, false, "seconds a flow of another IP protocol may be idle"),
	CONF_U32("dpi.max_packets", dpi_max_packets, EW_DEFAULT_DPI_MAX_PACKETS, 1,
		 CONF_DPI_MAX_PACKETS_LIMIT, false, "packets per flow given to nDPI"),
	CONF_U32("dpi.max_active", dpi_max_active, EW_DEFAULT_DPI_MAX_ACTIVE, 0,
		 CONF_DPI_MAX_ACTIVE_LIMIT, false,
		 "flows holding nDPI state at once; 0 disables inspection"),
	CONF_U32("device.max_devices", max_devices, EW_DEFAULT_MAX_DEVICES, 1,
		 CONF_MAX_DEVICES_LIMIT, false,
		 "devices tracked at once; the longest unseen is evicted beyond this"),
	CONF_U32("device.gone_after", gone_after_s, EW_DEFAULT_DEVICE_GONE_AFTER_S, 0,
		 CONF_GONE_AFTER_MAX_S, false, "seconds unseen before a device is reported gone"),
	CONF_STR("device.rules", device_rules, NULL, 0, true,
		 "device fingerprint rules file; unset uses the installed rules/devices.yaml"),
	CONF_CIDRS("network.home_networks", home_networks, conf_home_networks_default, 1, false,
		   "address blocks of the monitored network (Suricata's HOME_NET)"),
	CONF_CIDRS("network.dns_servers", dns_servers, conf_empty_list, 0, true,
		   "the resolvers devices are expected to use; empty means any"),
	CONF_STR("detection.rules", detection_rules, NULL, 0, true,
		 "detection and policy rules file; unset uses the installed rules/detections.yaml"),
	CONF_STR("detection.models", models_dir, NULL, 0, false,
		 "directory of scoring.yaml and classes.yaml; unset uses the installed models"),
	CONF_STR("policy.file", policy_file, NULL, 0, true,
		 "segmentation policy file (docs/policy.md); unset: no policy; --policy overrides"),
	CONF_ENUM_("detection.min_severity", min_severity, conf_severity_names,
		   EW_DEFAULT_MIN_SEVERITY, true,
		   "rule hits below this severity are counted but raise no alert"),
	CONF_U32("detection.threshold_percent", threshold_percent, EW_DEFAULT_THRESHOLD_PERCENT,
		 25, 1000, false,
		 "the model's anomaly thresholds and severity bands, scaled by this percent"),
	CONF_STR("state.directory", state_dir, NULL, 0, false,
		 "directory for the device inventory kept across runs; unset keeps none"),
	CONF_STR("capture.filter", bpf_filter, NULL, 0, false,
		 "BPF filter on the capture; unset captures everything"),
	CONF_STR("output.file", output_file, EW_DEFAULT_OUTPUT_FILE, 1, false,
		 "where event lines go; \"-\" is standard output"),
	CONF_U32("output.queue_events", output_queue_events, EW_DEFAULT_OUTPUT_QUEUE_EVENTS, 1,
		 CONF_QUEUE_EVENTS_LIMIT, false,
		 "event lines waiting for the output thread at most; more are dropped (counted)"),
	CONF_U32("output.queue_bytes", output_queue_mib, EW_DEFAULT_OUTPUT_QUEUE_MIB, 1,
		 CONF_QUEUE_MIB_LIMIT, false,
		 "MiB of event lines waiting for the output thread at most"),
	CONF_BOOL_("output.syslog.enabled", syslog_enabled, false, false,
		   "also send every event line to syslog (RFC 5424)"),
	CONF_STR("output.syslog.target", syslog_target, NULL, 0, false,
		 "unset: /dev/log; udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH"),
	CONF_ENUM_("output.syslog.facility", syslog_facility, conf_facility_names,
		   EW_DEFAULT_SYSLOG_FACILITY, false, "syslog facility of the messages"),
	CONF_STR_MAX("output.syslog.app_name", syslog_app_name, EW_DEFAULT_SYSLOG_APP_NAME, 1, 48,
		     false, "APP-NAME of the messages (RFC 5424: at most 48 characters)"),
	CONF_STR("output.redis.url", redis_url, NULL, 0, false,
		 "unset: no Redis output; redis://[user@]host[:port][/db] or unix:///path[?db=N]"),
	CONF_STR("output.redis.user", redis_user, NULL, 0, false,
		 "ACL user for AUTH; unset uses the default user"),
	CONF_STR("output.redis.password_file", redis_password_file, NULL, 0, false,
		 "file holding the Redis password; else EDGEWATCH_REDIS_PASSWORD; never inline"),
	CONF_U32("output.redis.connect_timeout_ms", redis_connect_timeout_ms,
		 EW_DEFAULT_REDIS_CONNECT_TIMEOUT_MS, 1, CONF_TIMEOUT_MS_LIMIT, false,
		 "milliseconds a connection attempt may take"),
	CONF_U32("output.redis.command_timeout_ms", redis_command_timeout_ms,
		 EW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS, 1, CONF_TIMEOUT_MS_LIMIT, false,
		 "milliseconds a command may wait for its reply"),
	CONF_STR("output.redis.alerts_stream", redis_alerts_stream,
		 EW_DEFAULT_REDIS_ALERTS_STREAM, 1, false, "stream of alert and anomaly events"),
	CONF_STR("output.redis.events_stream", redis_events_stream,
		 EW_DEFAULT_REDIS_EVENTS_STREAM, 1, false, "stream of every other event"),
	CONF_U32("output.redis.maxlen", redis_maxlen, EW_DEFAULT_REDIS_MAXLEN, 1,
		 CONF_REDIS_MAXLEN_LIMIT, false, "entries kept per stream (XADD MAXLEN ~)"),
	CONF_STR("output.redis.channel", redis_channel, NULL, 0, false,
		 "channel alerts are also PUBLISHed on; unset publishes nothing"),
	CONF_U32("output.redis.spool_mib", redis_spool_mib, EW_DEFAULT_REDIS_SPOOL_MIB, 0,
		 CONF_SPOOL_MIB_LIMIT, false,
		 "MiB of events journalled in the state directory while Redis is away; 0 none"),
	CONF_ENUM_("output.privacy", output_privacy, conf_privacy_names, EW_PRIVACY_FULL, false,
		   "full, pseudonymised or minimal: what event lines say about inside hosts"),
	CONF_STR("output.privacy_key_file", output_privacy_key_file, NULL, 0, false,
		 "file holding the pseudonym key (at least 32 bytes, mode 0600); never inline"),
	CONF_BOOL_("quarantine.enabled", quarantine_enabled, false, false,
		   "ask enforcement points to quarantine devices"),
	CONF_BOOL_("quarantine.dry_run", quarantine_dry_run, true, false,
		   "decide and log, send nothing"),
	CONF_STR("quarantine.stream", quarantine_stream, EW_DEFAULT_QUARANTINE_STREAM, 1, false,
		 "stream the signed requests are added to"),
	CONF_STR("quarantine.enforcement_stream", quarantine_enforcement_stream,
		 EW_DEFAULT_QUARANTINE_ENFORCEMENT_STREAM, 1, false,
		 "stream the enforcement points report outcomes on"),
	CONF_STR("quarantine.key_file", quarantine_key_file, NULL, 0, false,
		 "file holding the HMAC key (at least 32 bytes); never inline"),
	CONF_STR_MAX("quarantine.sensor_id", quarantine_sensor_id, NULL, 0, CONF_SENSOR_ID_MAX,
		     false, "this sensor's name in requests; unset uses the host name"),
	CONF_ENUM_("quarantine.min_severity", quarantine_min_severity, conf_severity_names,
		   EW_DEFAULT_QUARANTINE_MIN_SEVERITY, false,
		   "incidents below this severity never ask for quarantine"),
	CONF_STRS("quarantine.causes", quarantine_causes, conf_quarantine_causes_default, false,
		  "causes that may ask for quarantine: \"anomaly\" or rule ids"),
	CONF_ENUM_("quarantine.action", quarantine_action, conf_quarantine_action_names,
		   EW_QUARANTINE_ISOLATE, false, "isolate (infrastructure only) or restrict (baseline)"),
	CONF_U32("quarantine.ttl", quarantine_ttl_s, EW_DEFAULT_QUARANTINE_TTL_S,
		 CONF_QUARANTINE_TTL_MIN_S, CONF_QUARANTINE_TTL_MAX_S, false,
		 "seconds a quarantine lasts unless renewed or released"),
	CONF_BOOL_("quarantine.release_on_close", quarantine_release_on_close, true, false,
		   "release the device when its incident closes"),
	CONF_STRS("quarantine.allow", quarantine_allow, conf_empty_list, false,
		  "devices never quarantined: mac:, ip:CIDR, class: or name:GLOB"),
	CONF_U32("quarantine.max_per_hour", quarantine_max_per_hour,
		 EW_DEFAULT_QUARANTINE_MAX_PER_HOUR, 0, CONF_QUARANTINE_PER_HOUR_LIMIT, false,
		 "quarantine requests sent in any hour at most; more are held"),
	CONF_STR_MAX("daemon.user", daemon_user, EW_DEFAULT_DAEMON_USER, 1, CONF_USER_NAME_MAX,
		     false, "user a live sensor runs as once the capture is open"),
	CONF_BOOL_("daemon.allow_root", daemon_allow_root, false, false,
		   "keep running as root instead of switching to daemon.user (warned)"),
	CONF_STR("daemon.pid_file", daemon_pid_file, NULL, 0, false,
		 "file the live sensor writes its process id to; unset writes none"),
	CONF_U32("stats.interval", stats_interval_s, EW_DEFAULT_STATS_INTERVAL_S, 0,
		 CONF_STATS_INTERVAL_MAX_S, true,
		 "seconds between stats events; 0 only at exit and on SIGUSR1"),
	CONF_STR_MAX("capture.interface", capture_interface, NULL, 0, CONF_IFNAME_MAX, false,
		     "interface to capture from live; -i overrides"),
	CONF_U32("capture.snaplen", capture_snaplen, EW_DEFAULT_CAPTURE_SNAPLEN,
		 CONF_SNAPLEN_MIN, CONF_SNAPLEN_MAX, false, "bytes kept of each packet; --snaplen"),
	CONF_U32("capture.buffer_mib", capture_buffer_mib, EW_DEFAULT_CAPTURE_BUFFER_MIB, 1,
		 CONF_BUFFER_MIB_MAX, false, "kernel capture buffer in MiB; --buffer-mib"),
	CONF_BOOL_("capture.promiscuous", capture_promiscuous, true, false,
		   "put the interface in promiscuous mode; --no-promisc turns it off"),
	CONF_BOOL_("capture.immediate", capture_immediate, false, false,
		   "deliver each packet at once; --immediate"),
};

#define CONF_NSETTINGS (sizeof(conf_table) / sizeof(conf_table[0]))

/* One load: the input and where errors go (y), the copy being filled. */
struct conf_loader {
	struct yread y;
	struct ew_conf *work;    /* the copy */
	char path[CONF_KEY_MAX]; /* dotted key of the node being read */
};

/* ------------------------------------------------------------ fields */

static uint32_t *conf_u32(struct ew_conf *c, const struct conf_setting *s)
{
	return (uint32_t *)(void *)((char *)c + s->offset);
}

static bool *conf_bool(struct ew_conf *c, const struct conf_setting *s)
{
	return (bool *)(void *)((char *)c + s->offset);
}

static char **conf_str(struct ew_conf *c, const struct conf_setting *s)
{
	return (char **)(void *)((char *)c + s->offset);
}

static const char *conf_str_get(const struct ew_conf *c, const struct conf_setting *s)
{
	return *(char *const *)(const void *)((const char *)c + s->offset);
}

static struct ew_cidr_list *conf_list(struct ew_conf *c, const struct conf_setting *s)
{
	return (struct ew_cidr_list *)(void *)((char *)c + s->offset);
}

static const struct ew_cidr_list *conf_list_get(const struct ew_conf *c,
						const struct conf_setting *s)
{
	return (const struct ew_cidr_list *)(const void *)((const char *)c + s->offset);
}

static struct ew_string_list *conf_slist(struct ew_conf *c, const struct conf_setting *s)
{
	return (struct ew_string_list *)(void *)((char *)c + s->offset);
}

static const struct ew_string_list *conf_slist_get(const struct ew_conf *c,
						   const struct conf_setting *s)
{
	return (const struct ew_string_list *)(const void *)((const char *)c + s->offset);
}

static void conf_slist_free(struct ew_string_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Appends a copy of text[0..n); -1 when out of memory (l unchanged). */
static int conf_slist_add(struct ew_string_list *l, const char *text, size_t n)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	char *copy;

	if (v == NULL)
		return -1;
	l->v = v;
	if ((copy = strndup(text, n)) == NULL)
		return -1;
	l->v[l->n++] = copy;
	return 0;
}

/* A NULL-terminated array of strings into l (empty first); -1 when out of memory. */
static int conf_slist_from(struct ew_string_list *l, const char *const *v, size_t n)
{
	l->v = NULL;
	l->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_slist_add(l, v[i], strlen(v[i])) < 0) {
			conf_slist_free(l);
			return -1;
		}
	}
	return 0;
}

static size_t conf_def_count(const char *const *def)
{
	size_t n = 0;

	while (def[n] != NULL)
		n++;
	return n;
}

bool conf_string_list_has(const struct ew_string_list *l, const char *s)
{
	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* The built-in default blocks; they parse by construction (test-conf.c checks). */
static void conf_list_defaults(struct ew_cidr_list *l, const char *const *def)
{
	for (; *def != NULL; def++) {
		struct ew_cidr c;

		if (ew_cidr_parse(*def, &c, NULL, 0) == 0 && ew_cidr_list_add(l, &c) < 0)
			return; /* out of memory: the list stays short (see conf.h) */
	}
}

void conf_init_defaults(struct ew_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	for (size_t i = 0; i < CONF_NSETTINGS; i++) {
		const struct conf_setting *s = &conf_table[i];

		switch (s->type) {
		case CONF_UINT32:
		case CONF_ENUM:
			*conf_u32(conf, s) = s->def;
			break;
		case CONF_BOOL:
			*conf_bool(conf, s) = s->def != 0;
			break;
		case CONF_STRING:
			/* On allocation failure the field stays NULL (see conf.h). */
			*conf_str(conf, s) = s->def_str ? strdup(s->def_str) : NULL;
			break;
		case CONF_CIDR_LIST:
			conf_list_defaults(conf_list(conf, s), s->def_list);
			break;
		case CONF_STRING_LIST:
			/* Out of memory leaves the list empty, like a NULL string above. */
			conf_slist_from(conf_slist(conf, s), s->def_list, conf_def_count(s->def_list));
			break;
		}
	}
}

void conf_free(struct ew_conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < CONF_NSETTINGS; i++) {
		if (conf_table[i].type == CONF_CIDR_LIST) {
			ew_cidr_list_free(conf_list(conf, &conf_table[i]));
			continue;
		}
		if (conf_table[i].type == CONF_STRING_LIST) {
			conf_slist_free(conf_slist(conf, &conf_table[i]));
			continue;
		}
		if (conf_table[i].type != CONF_STRING)
			continue;
		free(*conf_str(conf, &conf_table[i]));
		*conf_str(conf, &conf_table[i]) = NULL;
	}
}

/* Deep copy: dst shares no string or list with src.  -1 when out of memory (dst then empty). */
static int conf_copy(struct ew_conf *dst, const struct ew_conf *src)
{
	static const struct ew_cidr_list empty;

	*dst = *src;
	/* First let go of everything shared, so that a failure frees only dst's own. */
	for (size_t i = 0; i < CONF_NSETTINGS; i++) {
		if (conf_table[i].type == CONF_STRING)
			*conf_str(dst, &conf_table[i]) = NULL;
		else if (conf_table[i].type == CONF_CIDR_LIST)
			*conf_list(dst, &conf_table[i]) = empty;
		else if (conf_table[i].type == CONF_STRING_LIST)
			*conf_slist(dst, &conf_table[i]) = (struct ew_string_list){ NULL, 0 };
	}
	for (size_t i = 0; i < CONF_NSETTINGS; i++) {
		const struct conf_setting *s = &conf_table[i];
		const char *v = s->type == CONF_STRING ? conf_str_get(src, s) : NULL;

		if (s->type == CONF_CIDR_LIST &&
		    ew_cidr_list_copy(conf_list(dst, s), conf_list_get(src, s)) < 0) {
			conf_free(dst);
			return -1;
		}
		if (s->type == CONF_STRING_LIST &&
		    conf_slist_from(conf_slist(dst, s),
				    (const char *const *)conf_slist_get(src, s)->v,
				    conf_slist_get(src, s)->n) < 0) {
			conf_free(dst);
			return -1;
		}

		if (v == NULL)
			continue;
		*conf_str(dst, s) = strdup(v);
		if (*conf_str(dst, s) == NULL) {
			conf_free(dst);
			return -1;
		}
	}
	return 0;
}

static const struct conf_setting *conf_find(const char *key)
{
	for (size_t i = 0; i < CONF_NSETTINGS; i++)
		if (strcmp(conf_table[i].key, key) == 0)
			return &conf_table[i];
	return NULL;
}

/* Is key a mapping that holds settings ("flow", "flow.timeouts")? */
static bool conf_is_section(const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < CONF_NSETTINGS; i++)
		if (strncmp(conf_table[i].key, key, n) == 0 && conf_table[i].key[n] == '.')
			return true;
	return false;
}

/* ------------------------------------------ second pass: the values */

static const char *conf_type_name(enum conf_type type)
{
	switch (type) {
	case CONF_UINT32:
		return "an integer";
	case CONF_BOOL:
		return "a boolean";
	case CONF_STRING:
		return "a string";
	case CONF_CIDR_LIST:
		return "a list of address blocks";
	case CONF_ENUM:
		return "a name";
	case CONF_STRING_LIST:
		return "a list of strings";
	}
	return "a value";
}

static int conf_set_u32(struct conf_loader *ld, const struct conf_setting *s,
			const yaml_event_t *ev)
{
	uint64_t x;

	if (yread_uint(&ld->y, s->key, ev, s->min, s->max, &x) < 0)
		return -1;
	*conf_u32(ld->work, s) = (uint32_t)x;
	return 0;
}

static int conf_set_bool(struct conf_loader *ld, const struct conf_setting *s,
			 const yaml_event_t *ev)
{
	char q[YREAD_QUOTE_MAX + 4];

	if (yread_bool(ev, conf_bool(ld->work, s)))
		return 0;
	return yread_error_at(&ld->y, ev->start_mark,
			       "%s: '%s' is not a boolean (true/false, yes/no, on/off)", s->key,
			       yread_quote(q, (const char *)ev->data.scalar.value,
					   ev->data.scalar.length));
}

static int conf_set_string(struct conf_loader *ld, const struct conf_setting *s,
			   const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	char **field = conf_str(ld->work, s);
	char *copy = NULL;

	if (yread_is_null(ev))
		n = 0;
	if (n < s->min)
		return yread_error_at(&ld->y, ev->start_mark, "%s: a value is required", s->key);
	if (n > s->max)
		return yread_error_at(&ld->y, ev->start_mark, "%s: string is longer than %u bytes",
				       s->key, s->max);
	/* A "\0" escape would cut the C string short without anyone noticing. */
	if (memchr(v, '\0', n) != NULL)
		return yread_error_at(&ld->y, ev->start_mark, "%s: NUL byte in string", s->key);
	if (n > 0) {
		copy = strndup(v, n);
		if (copy == NULL)
			return yread_error(&ld->y, "out of memory");
	}
	free(*field);
	*field = copy;
	return 0;
}

/* One entry of an address-block list: a scalar such as "10.0.0.0/8". */
static int conf_add_cidr(struct conf_loader *ld, const struct conf_setting *s,
			 const yaml_event_t *ev, struct ew_cidr_list *l)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	/* One byte longer than any block, so a longer text stays too long for the parser. */
	char text[EW_CIDR_STRLEN + 1], why[96], q[YREAD_QUOTE_MAX + 4];
	struct ew_cidr c;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "%s: expected an address block, found %s",
				       s->key, yread_node_kind(ev));
	if (l->n >= s->max)
		return yread_error_at(&ld->y, ev->start_mark, "%s: more than %u address blocks",
				       s->key, s->max);
	/* A "\0" escape would cut the text short without anyone noticing. */
	if (memchr(v, '\0', n) != NULL)
		return yread_error_at(&ld->y, ev->start_mark, "%s: NUL byte in address block",
				       s->key);
	memcpy(text, v, n < sizeof(text) ? n : sizeof(text) - 1);
	text[n < sizeof(text) ? n : sizeof(text) - 1] = '\0';
	if (ew_cidr_parse(text, &c, why, sizeof(why)) < 0)
		return yread_error_at(&ld->y, ev->start_mark, "%s: bad address block '%s': %s",
				       s->key, yread_quote(q, v, n), why);
	if (ew_cidr_list_add(l, &c) < 0)
		return yread_error(&ld->y, "out of memory");
	return 0;
}

/*
 * An address-block list: a sequence of scalars, or null for an empty
 * list.  The new list replaces the old one whole (a later file does not
 * add to an earlier one's blocks).
 */
static int conf_set_cidr_list(struct conf_loader *ld, const struct conf_setting *s,
			      const yaml_event_t *start)
{
	struct ew_cidr_list l = { NULL, 0, 0 };
	int rc = 0;

	if (start->type == YAML_SEQUENCE_START_EVENT) {
		for (;;) {
			yaml_event_t ev;

			if (yread_next(&ld->y, &ev) < 0) {
				rc = -1;
				break;
			}
			if (ev.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&ev);
				break;
			}
			rc = conf_add_cidr(ld, s, &ev, &l);
			yaml_event_delete(&ev);
			if (rc < 0)
				break;
		}
	} else if (!yread_is_null(start)) {
		rc = yread_error_at(&ld->y, start->start_mark, "%s: expected %s, found %s", s->key,
				    conf_type_name(s->type), yread_node_kind(start));
	}
	if (rc == 0 && l.n < s->min)
		rc = yread_error_at(&ld->y, start->start_mark,
				    "%s: at least %u address block%s required", s->key, s->min,
				    s->min == 1 ? " is" : "s are");
	if (rc < 0) {
		ew_cidr_list_free(&l);
		return -1;
	}
	ew_cidr_list_free(conf_list(ld->work, s));
	*conf_list(ld->work, s) = l;
	return 0;
}

/*
 * One item of a string list: a scalar of 1..EW_CONF_MAX_LIST_ITEM_BYTES
 * bytes.  A null item ("- ~") is refused as empty rather than read as the
 * text "~": no setting has a use for either.
 */
static int conf_add_string(struct conf_loader *ld, const struct conf_setting *s,
			   const yaml_event_t *ev, struct ew_string_list *l)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "%s: expected a string, found %s",
				       s->key, yread_node_kind(ev));
	if (l->n >= s->max)
		return yread_error_at(&ld->y, ev->start_mark, "%s: more than %u items", s->key,
				       s->max);
	if (yread_is_null(ev) || n == 0)
		return yread_error_at(&ld->y, ev->start_mark, "%s: empty item", s->key);
	if (n > EW_CONF_MAX_LIST_ITEM_BYTES)
		return yread_error_at(&ld->y, ev->start_mark, "%s: item is longer than %u bytes",
				       s->key, EW_CONF_MAX_LIST_ITEM_BYTES);
	/* A "\0" escape would cut the C string short without anyone noticing. */
	if (memchr(v, '\0', n) != NULL)
		return yread_error_at(&ld->y, ev->start_mark, "%s: NUL byte in string", s->key);
	if (conf_slist_add(l, v, n) < 0)
		return yread_error(&ld->y, "out of memory");
	return 0;
}

/*
 * A string list: a sequence of scalars, or null for an empty list.  As
 * with address blocks, the new list replaces the old one whole.
 */
static int conf_set_string_list(struct conf_loader *ld, const struct conf_setting *s,
				const yaml_event_t *start)
{
	struct ew_string_list l = { NULL, 0 };
	int rc = 0;

	if (start->type == YAML_SEQUENCE_START_EVENT) {
		for (;;) {
			yaml_event_t ev;

			if (yread_next(&ld->y, &ev) < 0) {
				rc = -1;
				break;
			}
			if (ev.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&ev);
				break;
			}
			rc = conf_add_string(ld, s, &ev, &l);
			yaml_event_delete(&ev);
			if (rc < 0)
				break;
		}
	} else if (!yread_is_null(start)) {
		rc = yread_error_at(&ld->y, start->start_mark, "%s: expected %s, found %s", s->key,
				    conf_type_name(s->type), yread_node_kind(start));
	}
	if (rc < 0) {
		conf_slist_free(&l);
		return -1;
	}
	conf_slist_free(conf_slist(ld->work, s));
	*conf_slist(ld->work, s) = l;
	return 0;
}

/* "KEY: 'x' is not one of a, b, c" for a value outside the names. */
static int conf_set_enum(struct conf_loader *ld, const struct conf_setting *s,
			 const yaml_event_t *ev)
{
	char q[YREAD_QUOTE_MAX + 4], list[256] = "";
	size_t used = 0;

	for (uint32_t i = 0; s->names[i] != NULL; i++) {
		if (yread_is_word(ev, s->names[i])) {
			*conf_u32(ld->work, s) = i;
			return 0;
		}
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 s->names[i]);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
	}
	return yread_error_at(&ld->y, ev->start_mark, "%s: '%s' is not one of %s", s->key,
			      yread_quote(q, (const char *)ev->data.scalar.value,
					  ev->data.scalar.length),
			      list);
}

static int conf_set_scalar(struct conf_loader *ld, const struct conf_setting *s,
			   const yaml_event_t *ev)
{
	if (s->type != CONF_STRING && yread_is_null(ev))
		return yread_error_at(&ld->y, ev->start_mark, "%s: a value is required", s->key);
	switch (s->type) {
	case CONF_UINT32:
		return conf_set_u32(ld, s, ev);
	case CONF_BOOL:
		return conf_set_bool(ld, s, ev);
	case CONF_STRING:
		return conf_set_string(ld, s, ev);
	case CONF_ENUM:
		return conf_set_enum(ld, s, ev);
	case CONF_CIDR_LIST:
	case CONF_STRING_LIST:
		break; /* conf_load_value hands lists to their own readers */
	}
	return yread_error_at(&ld->y, ev->start_mark, "%s: unsupported type", s->key);
}

static int conf_load_mapping(struct conf_loader *ld, size_t plen);

/* Reads the value of the key in ld->path (plen bytes long). */
static int conf_load_value(struct conf_loader *ld, size_t plen)
{
	const struct conf_setting *s = conf_find(ld->path);
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (s != NULL && s->type == CONF_CIDR_LIST)
		rc = conf_set_cidr_list(ld, s, &ev);
	else if (s != NULL && s->type == CONF_STRING_LIST)
		rc = conf_set_string_list(ld, s, &ev);
	else if (s != NULL && ev.type == YAML_SCALAR_EVENT)
		rc = conf_set_scalar(ld, s, &ev);
	else if (s != NULL)
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected %s, found %s", s->key,
				     conf_type_name(s->type), yread_node_kind(&ev));
	else if (ev.type == YAML_MAPPING_START_EVENT)
		rc = conf_load_mapping(ld, plen);
	else if (yread_is_null(&ev))
		rc = 0; /* "flow:" with every line under it commented out */
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a mapping, found %s",
				     ld->path, yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/*
 * Appends the key event's text to ld->path (which holds plen bytes) and
 * checks that the result names a setting or a section.  Sets *len to the
 * new path length.
 */
static int conf_load_key(struct conf_loader *ld, const yaml_event_t *ev, size_t plen,
			 size_t *len)
{
	const char *k;
	size_t n, dot = plen > 0;
	char q[YREAD_QUOTE_MAX + 4];

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "a key must be a scalar, not %s",
				       yread_node_kind(ev));
	k = (const char *)ev->data.scalar.value;
	n = ev->data.scalar.length;
	if (memchr(k, '.', n) != NULL)
		return yread_error_at(&ld->y, ev->start_mark,
				       "'.' in key '%s'; nest mappings instead",
				       yread_quote(q, k, n));
	if (memchr(k, '\0', n) == NULL && plen + dot + n < sizeof(ld->path)) {
		if (dot)
			ld->path[plen] = '.';
		memcpy(ld->path + plen + dot, k, n);
		ld->path[plen + dot + n] = '\0';
		*len = plen + dot + n;
		if (conf_find(ld->path) != NULL || conf_is_section(ld->path))
			return 0;
	}
	return yread_error_at(&ld->y, ev->start_mark, "unknown key '%.*s%s%s'", (int)plen, ld->path,
			       dot ? "." : "", yread_quote(q, k, n));
}

/* Remembers a key of one mapping; a second sighting is an error. */
static int conf_note_key(struct conf_loader *ld, const yaml_event_t *ev,
			 char seen[][CONF_KEY_MAX], size_t *nseen)
{
	for (size_t i = 0; i < *nseen; i++)
		if (strcmp(seen[i], ld->path) == 0)
			return yread_error_at(&ld->y, ev->start_mark, "duplicate key '%s'", ld->path);
	/* Every accepted key names a row or a section, so CONF_NSETTINGS is enough. */
	if (*nseen < CONF_NSETTINGS)
		strcpy(seen[(*nseen)++], ld->path);
	return 0;
}

/* A mapping being read: its dotted key is ld->path[0..plen), and the keys seen in it. */
struct conf_map {
	struct conf_loader *ld;
	size_t plen;
	char seen[CONF_NSETTINGS][CONF_KEY_MAX];
	size_t nseen;
};

static int conf_load_pair(void *ctx, const yaml_event_t *key)
{
	struct conf_map *m = ctx;
	size_t len = 0;

	if (conf_load_key(m->ld, key, m->plen, &len) < 0 ||
	    conf_note_key(m->ld, key, m->seen, &m->nseen) < 0)
		return -1;
	return conf_load_value(m->ld, len);
}

/* Reads key/value pairs up to the end of a mapping whose dotted key is ld->path[0..plen). */
static int conf_load_mapping(struct conf_loader *ld, size_t plen)
{
	struct conf_map m;

	m.ld = ld;
	m.plen = plen;
	m.nseen = 0;
	return yread_mapping(&ld->y, conf_load_pair, &m);
}

/* The document's root, from its first event ev: a mapping, or nothing at all ("---" alone). */
static int conf_load_root(void *ctx, const yaml_event_t *ev)
{
	struct conf_loader *ld = ctx;

	ld->path[0] = '\0';
	if (ev->type == YAML_MAPPING_START_EVENT)
		return conf_load_mapping(ld, 0);
	if (!yread_is_null(ev))
		return yread_error_at(&ld->y, ev->start_mark, "the top level must be a mapping");
	return 0;
}

/*
 * The second pass (yread_run): a stream of one document, or of none (empty,
 * or only comments: the defaults stand).
 */
static int conf_load_stream(void *ctx)
{
	struct conf_loader *ld = ctx;

	return yread_document(&ld->y, NULL, conf_load_root, ld);
}

/* ------------------------------------------------------------ reloading */

static bool conf_slist_equal(const struct ew_string_list *a, const struct ew_string_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static bool conf_same(const struct ew_conf *a, const struct ew_conf *b,
		      const struct conf_setting *s)
{
	const char *x, *y;

	switch (s->type) {
	case CONF_UINT32:
	case CONF_ENUM:
		return *(const uint32_t *)(const void *)((const char *)a + s->offset) ==
		       *(const uint32_t *)(const void *)((const char *)b + s->offset);
	case CONF_BOOL:
		return *(const bool *)(const void *)((const char *)a + s->offset) ==
		       *(const bool *)(const void *)((const char *)b + s->offset);
	case CONF_STRING:
		x = conf_str_get(a, s);
		y = conf_str_get(b, s);
		return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
	case CONF_CIDR_LIST:
		return ew_cidr_list_equal(conf_list_get(a, s), conf_list_get(b, s));
	case CONF_STRING_LIST:
		return conf_slist_equal(conf_slist_get(a, s), conf_slist_get(b, s));
	}
	return true;
}

/* The size of a setting's field, to exchange it whole. */
static size_t conf_field_size(const struct conf_setting *s)
{
	switch (s->type) {
	case CONF_UINT32:
	case CONF_ENUM:
		return sizeof(uint32_t);
	case CONF_BOOL:
		return sizeof(bool);
	case CONF_STRING:
		return sizeof(char *);
	case CONF_CIDR_LIST:
		return sizeof(struct ew_cidr_list);
	case CONF_STRING_LIST:
		return sizeof(struct ew_string_list);
	}
	return 0;
}

/*
 * Exchanging, not copying: the owned strings and lists change hands with
 * no allocation (a reload cannot fail half-way), and the old values leave
 * with fresh, so nothing still borrowed is freed while running holds it.
 */
size_t conf_take_reloadable(struct ew_conf *running, struct ew_conf *fresh,
			    void (*changed)(void *ctx, const char *key, bool applied), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < CONF_NSETTINGS; i++) {
		const struct conf_setting *s = &conf_table[i];
		unsigned char tmp[sizeof(struct ew_cidr_list) > sizeof(struct ew_string_list)
					  ? sizeof(struct ew_cidr_list)
					  : sizeof(struct ew_string_list)];
		size_t size = conf_field_size(s);

		if (conf_same(running, fresh, s))
			continue;
		if (changed != NULL)
			changed(ctx, s->key, s->reloadable);
		if (!s->reloadable || size == 0 || size > sizeof(tmp))
			continue;
		memcpy(tmp, (char *)running + s->offset, size);
		memcpy((char *)running + s->offset, (char *)fresh + s->offset, size);
		memcpy((char *)fresh + s->offset, tmp, size);
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ loading */

int conf_load_buffer(struct ew_conf *conf, const char *name, const char *text, size_t len,
		     char err[EW_CONF_ERRLEN])
{
	struct conf_loader ld;
	struct ew_conf work;

	memset(&ld, 0, sizeof(ld));
	yread_init(&ld.y, name != NULL ? name : "(config)", text, len, err, EW_CONF_ERRLEN);
	if (yread_check(&ld.y, CONF_MAX_DEPTH) < 0)
		return -1;
	if (conf_copy(&work, conf) < 0)
		return yread_error(&ld.y, "out of memory");
	ld.work = &work;
	if (yread_run(&ld.y, conf_load_stream, &ld) < 0) {
		conf_free(&work);
		return -1;
	}
	conf_free(conf);
	*conf = work;
	return 0;
}

int conf_load_file(struct ew_conf *conf, const char *path, char err[EW_CONF_ERRLEN])
{
	char *text;
	size_t len;
	int rc;

	if (yread_file(path, CONF_FILE_MAX_BYTES, "file is larger than", &text, &len, err,
		       EW_CONF_ERRLEN) < 0)
		return -1;
	rc = conf_load_buffer(conf, path, text, len, err);
	free(text);
	return rc;
}
