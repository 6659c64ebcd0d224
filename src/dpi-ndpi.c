/*
 * dpi-ndpi.c - application protocol detection with nDPI 4.2 (see dpi.h).
 *
 * The only file that includes nDPI.  It owns the detection module and
 * every per-flow nDPI state; flows only carry an opaque pointer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "dpi.h"

struct dpi {
	struct ndpi_detection_module_struct *mod;
	struct ndpi_flow_struct *scratch; /* zeroed per use, for stateless guesses */
	uint32_t max_packets;
	uint32_t max_active;
	struct dpi_stats stats;
};

const char *dpi_version(void)
{
	return ndpi_revision();
}

struct dpi *dpi_create(uint32_t max_packets, uint32_t max_active, char *err, size_t errlen)
{
	struct dpi *d = calloc(1, sizeof(*d));
	NDPI_PROTOCOL_BITMASK all;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory creating the nDPI module");
		return NULL;
	}
	d->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (d->mod == NULL) {
		snprintf(err, errlen, "nDPI failed to initialise its detection module");
		free(d);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(d->mod, &all);
	ndpi_finalize_initialization(d->mod);
	d->scratch = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
	if (d->scratch == NULL) {
		snprintf(err, errlen, "out of memory creating the nDPI module");
		ndpi_exit_detection_module(d->mod);
		free(d);
		return NULL;
	}
	/* Zeroed now too: nDPI's free walks the pointers inside it. */
	memset(d->scratch, 0, SIZEOF_FLOW_STRUCT);
	d->max_packets = max_packets;
	d->max_active = max_active;
	return d;
}

void dpi_destroy(struct dpi *d)
{
	if (d == NULL)
		return;
	ndpi_free_flow(d->scratch); /* its data, then itself */
	ndpi_exit_detection_module(d->mod);
	free(d);
}

static bool is_tls_like(uint16_t id)
{
	return id == NDPI_PROTOCOL_TLS || id == NDPI_PROTOCOL_DTLS || id == NDPI_PROTOCOL_QUIC;
}

/*
 * nDPI's host_server_name holds the client's own name for DHCP and
 * NetBIOS; in a field called server_name that would mislead.  Those
 * names are device identity, parsed by the device stage instead.
 */
static bool name_is_server(ndpi_protocol proto)
{
	uint16_t id = proto.master_protocol ? proto.master_protocol : proto.app_protocol;

	return id != NDPI_PROTOCOL_DHCP && id != NDPI_PROTOCOL_DHCPV6 &&
	       id != NDPI_PROTOCOL_NETBIOS;
}

/* Copies what is worth keeping out of the nDPI state into the flow. */
static void copy_results(struct flow *f, const struct ndpi_flow_struct *nf,
			 ndpi_protocol proto)
{
	f->master_proto = proto.master_protocol;
	f->app_proto = proto.app_protocol;
	f->category = (uint16_t)proto.category;
	f->risk = nf->risk;
	if (f->server_name == NULL && nf->host_server_name[0] != '\0' && name_is_server(proto)) {
		/* nDPI bounds the field at 80 bytes; strnlen guards a missing NUL. */
		size_t n = strnlen(nf->host_server_name, sizeof(nf->host_server_name));
		f->server_name = malloc(n + 1);
		if (f->server_name) {
			memcpy(f->server_name, nf->host_server_name, n);
			f->server_name[n] = '\0';
		}
	}
	/* nDPI keeps the User-Agent of HTTP requests (and of QUIC) in a string of its own. */
	if (f->user_agent == NULL && nf->http.user_agent != NULL && nf->http.user_agent[0] != '\0') {
		size_t n = strnlen(nf->http.user_agent, FLOW_USER_AGENT_MAX);
		f->user_agent = malloc(n + 1);
		if (f->user_agent) {
			memcpy(f->user_agent, nf->http.user_agent, n);
			f->user_agent[n] = '\0';
		}
	}
	/* protos is a union: the JA3 field means something only for TLS-like flows. */
	if (is_tls_like(proto.master_protocol) || is_tls_like(proto.app_protocol)) {
		const char *ja3 = nf->protos.tls_quic.ja3_client;
		size_t n = strnlen(ja3, sizeof(f->ja3_client) - 1);
		memcpy(f->ja3_client, ja3, n);
		f->ja3_client[n] = '\0';
	}
}

static void finish(struct dpi *d, struct flow *f, enum flow_dpi_state state)
{
	ndpi_free_flow(f->dpi);
	f->dpi = NULL;
	f->dpi_state = (uint8_t)state;
	d->stats.active--;
	if (state == FLOW_DPI_DONE)
		d->stats.detected++;
	else
		d->stats.gave_up++;
}

/* Allocates state for a flow's first inspected packet; false when not inspected. */
static bool start(struct dpi *d, struct flow *f, const struct ew_packet *pkt)
{
	if (pkt->is_fragment || f->fragmented) {
		f->dpi_state = FLOW_DPI_SKIPPED;
		return false;
	}
	/* Handshake-only TCP packets carry nothing to classify: wait for payload. */
	if (f->key.proto == EW_IPPROTO_TCP && pkt->payload_len == 0)
		return false;
	if (d->stats.active >= d->max_active) {
		d->stats.cap_reached++;
		f->dpi_state = FLOW_DPI_SKIPPED;
		return false;
	}
	f->dpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
	if (f->dpi == NULL) {
		d->stats.alloc_failed++;
		f->dpi_state = FLOW_DPI_SKIPPED;
		return false;
	}
	memset(f->dpi, 0, SIZEOF_FLOW_STRUCT);
	f->dpi_state = FLOW_DPI_RUNNING;
	d->stats.started++;
	if (++d->stats.active > d->stats.peak_active)
		d->stats.peak_active = d->stats.active;
	return true;
}

void dpi_packet(struct dpi *d, struct flow *f, const struct ew_packet *pkt, enum flow_dir dir)
{
	struct ndpi_flow_struct *nf;
	ndpi_protocol proto;
	uint32_t len;

	(void)dir; /* nDPI derives direction from the addresses itself */
	if (f->dpi_state != FLOW_DPI_NONE && f->dpi_state != FLOW_DPI_RUNNING)
		return;
	if (f->dpi_state == FLOW_DPI_NONE && !start(d, f, pkt))
		return;
	nf = f->dpi;
	/* nDPI takes a 16-bit length; an IP datagram never needs more. */
	len = pkt->l3_len > 65535 ? 65535 : pkt->l3_len;
	proto = ndpi_detection_process_packet(d->mod, nf, pkt->l3, (unsigned short)len,
					      pkt->ts_us / 1000);
	f->dpi_packets++;
	if (proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    proto.master_protocol != NDPI_PROTOCOL_UNKNOWN) {
		copy_results(f, nf, proto);
		if (!ndpi_extra_dissection_possible(d->mod, nf)) {
			finish(d, f, FLOW_DPI_DONE);
			return;
		}
	}
	if (f->dpi_packets >= d->max_packets)
		dpi_flow_end(d, f);
}

/*
 * A flow that ends without ever holding nDPI state (handshake only, a
 * scan, a fragment, or the state cap was reached) still gets nDPI's guess
 * from its addresses (cloud provider ranges) and ports, as nDPI's own
 * reader reports it; the event marks it as guessed.  nDPI 4.2's guess
 * takes IPv4 addresses only.
 */
static void guess_stateless(struct dpi *d, struct flow *f)
{
	struct ndpi_flow_struct *scratch = d->scratch;
	int cs = f->client_side, ss = 1 - f->client_side;
	uint32_t shost, dhost;
	ndpi_protocol proto;

	if (f->key.family != EW_AF_INET || scratch == NULL)
		return;
	memcpy(&shost, f->key.addr[cs] + 12, 4); /* network byte order, as nDPI wants */
	memcpy(&dhost, f->key.addr[ss] + 12, 4);
	memset(scratch, 0, SIZEOF_FLOW_STRUCT);
	proto = ndpi_guess_undetected_protocol(d->mod, scratch, f->key.proto, shost,
					       f->key.port[cs], dhost, f->key.port[ss]);
	ndpi_free_flow_data(scratch);
	if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN &&
	    proto.master_protocol == NDPI_PROTOCOL_UNKNOWN)
		return;
	f->master_proto = proto.master_protocol;
	f->app_proto = proto.app_protocol;
	f->category = (uint16_t)proto.category;
	f->proto_guessed = true;
}

void dpi_flow_end(struct dpi *d, struct flow *f)
{
	struct ndpi_flow_struct *nf = f->dpi;
	uint8_t guessed = 0;
	ndpi_protocol proto;

	if (nf == NULL) {
		if (f->dpi_state == FLOW_DPI_NONE || f->dpi_state == FLOW_DPI_SKIPPED)
			guess_stateless(d, f);
		return;
	}
	if (f->master_proto != NDPI_PROTOCOL_UNKNOWN || f->app_proto != NDPI_PROTOCOL_UNKNOWN) {
		/* Decided earlier; extra dissection was still going: keep what it found. */
		proto.master_protocol = f->master_proto;
		proto.app_protocol = f->app_proto;
		proto.category = (ndpi_protocol_category_t)f->category;
		copy_results(f, nf, proto);
		finish(d, f, FLOW_DPI_DONE);
		return;
	}
	proto = ndpi_detection_giveup(d->mod, nf, 1, &guessed);
	copy_results(f, nf, proto);
	f->proto_guessed = guessed != 0;
	finish(d, f, FLOW_DPI_GAVE_UP);
}

const char *dpi_proto_name(const struct dpi *d, uint16_t proto_id)
{
	const char *n = ndpi_get_proto_name(d->mod, proto_id);
	return n ? n : "Unknown";
}

const char *dpi_category_name(const struct dpi *d, uint16_t category)
{
	const char *n = ndpi_category_get_name(d->mod, (ndpi_protocol_category_t)category);
	return n ? n : "Unspecified";
}

size_t dpi_risk_names(uint64_t risk, const char **names, size_t max)
{
	size_t n = 0;

	for (int i = 1; i < NDPI_MAX_RISK && i < 64 && n < max; i++) {
		if (risk & (1ULL << i))
			names[n++] = ndpi_risk2str((ndpi_risk_enum)i);
	}
	return n;
}

const struct dpi_stats *dpi_stats(const struct dpi *d)
{
	return &d->stats;
}

/*
 * Short names for the risks of nDPI 4.2, by bit: the ndpi_risk_enum
 * name without "NDPI_", in lower case.  Rule files use them
 * (docs/detections.md); the assertion catches an nDPI upgrade that
 * adds or removes risks, so that the table is looked at again.
 */
static const char *const risk_alias[] = {
	NULL, /* NDPI_NO_RISK */
	"url_possible_xss", "url_possible_sql_injection", "url_possible_rce_injection",
	"binary_application_transfer", "known_protocol_on_non_standard_port",
	"tls_selfsigned_certificate", "tls_obsolete_version", "tls_weak_cipher",
	"tls_certificate_expired", "tls_certificate_mismatch", "http_suspicious_user_agent",
	"http_numeric_ip_host", "http_suspicious_url", "http_suspicious_header",
	"tls_not_carrying_https", "suspicious_dga_domain", "malformed_packet",
	"ssh_obsolete_client_version_or_cipher", "ssh_obsolete_server_version_or_cipher",
	"smb_insecure_version", "tls_suspicious_esni_usage", "unsafe_protocol",
	"dns_suspicious_traffic", "tls_missing_sni", "http_suspicious_content", "risky_asn",
	"risky_domain", "malicious_ja3", "malicious_sha1_certificate",
	"desktop_or_file_sharing_session", "tls_uncommon_alpn", "tls_cert_validity_too_long",
	"tls_suspicious_extension", "tls_fatal_alert", "suspicious_entropy",
	"clear_text_credentials", "dns_large_packet", "dns_fragmented", "invalid_characters",
	"possible_exploit", "tls_certificate_about_to_expire",
};

_Static_assert(sizeof(risk_alias) / sizeof(risk_alias[0]) == NDPI_MAX_RISK,
	       "risk_alias must name every nDPI risk");

/* ASCII case-insensitive equality; nDPI's texts are ASCII. */
static int risk_name_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

int dpi_risk_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 1; i < NDPI_MAX_RISK; i++) {
		const char *text = ndpi_risk2str((ndpi_risk_enum)i);

		if (strcmp(name, risk_alias[i]) == 0 || (text != NULL && risk_name_eq(name, text)))
			return i;
	}
	return -1;
}

const char *dpi_risk_alias(int bit)
{
	return bit >= 1 && bit < NDPI_MAX_RISK ? risk_alias[bit] : NULL;
}

const char *dpi_risk_text(int bit)
{
	return bit >= 1 && bit < NDPI_MAX_RISK ? ndpi_risk2str((ndpi_risk_enum)bit) : NULL;
}
