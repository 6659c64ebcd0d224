/*
 * engine-posture.c - ended flows to the posture audit (posture.h): each
 * end that is a device (not a router, not an Internet host) is looked at
 * from its side, and a `posture` event is written when the device shows
 * something new.
 */
#include <string.h>

#include "dpi.h"
#include "engine-private.h"
#include "fingerprint-login.h"
#include "fingerprint-mqtt.h"
#include "output-posture.h"

#define ENGINE_POSTURE_DEVICES_MIN 16u

struct posture *engine_posture_create(const struct ew_conf *conf)
{
	struct posture_risks r = {
		.cleartext_credentials = dpi_risk_from_name("clear_text_credentials"),
		.tls_obsolete = dpi_risk_from_name("tls_obsolete_version"),
		.tls_weak_cipher = dpi_risk_from_name("tls_weak_cipher"),
		.tls_self_signed = dpi_risk_from_name("tls_selfsigned_certificate"),
		.tls_expired = dpi_risk_from_name("tls_certificate_expired"),
	};
	uint32_t cap = conf->max_devices > ENGINE_POSTURE_DEVICES_MIN ? conf->max_devices
								     : ENGINE_POSTURE_DEVICES_MIN;

	return posture_create(cap, &r, &conf->dns_servers);
}

/* One end of the flow: its view, the audit, the event if anything is new. */
static void posture_end(struct engine *e, const struct flow *f, const char *app, bool client)
{
	const struct device *d = scorer_flow_device(e->scorer, f, client ? FLOW_TOSERVER
									: FLOW_TOCLIENT);
	unsigned peer_idx = client ? 1u - f->client_side : f->client_side;
	struct ew_addr peer;
	struct posture_view v;
	uint64_t key;
	uint32_t fresh;

	if (d == NULL)
		return;
	memcpy(peer.bytes, f->key.addr[peer_idx], sizeof(peer.bytes));
	peer.family = f->key.family;
	memset(&v, 0, sizeof(v));
	v.device_is_client = client;
	v.peer_internal = device_table_is_home(e->devices, &peer);
	v.proto = f->key.proto;
	v.server_port = f->key.port[1u - f->client_side];
	v.peer = &peer;
	v.app = app;
	v.app_guessed = f->proto_guessed;
	v.risk = f->risk;
	v.login_clear = (f->login & FLOW_LOGIN_CLEAR) != 0;
	v.login_weak = (f->login & FLOW_LOGIN_WEAK) != 0;
	/* A RST is an answer too, but not an accepted connection. */
	v.answered = f->key.proto == EW_IPPROTO_TCP
			     ? (f->tcp_flags[FLOW_TOCLIENT] & (EW_TH_SYN | EW_TH_ACK)) ==
				       (EW_TH_SYN | EW_TH_ACK)
			     : f->pkts[FLOW_TOCLIENT] > 0;
	key = scorer_device_key(d);
	fresh = posture_observe(e->posture, key, &v, f->last_ts);
	if (fresh == 0 || e->silent)
		return;
	if (output_posture_event(&e->jb, e->now_us, d, posture_find(e->posture, key), fresh) != 0) {
		e->c.events_dropped++;
		return;
	}
	e->c.posture_events++;
	engine_emit(e);
}

void engine_posture_login(struct engine *e, struct flow *f, const struct ew_packet *pkt)
{
	struct mqtt_connect mc;
	struct http_basic hb;
	enum mqtt_connect_result r;
	bool clear = false, weak = false;

	f->login |= FLOW_LOGIN_CHECKED;
	if (e->posture == NULL)
		return;
	r = mqtt_connect_parse(pkt->payload, pkt->payload_len, &mc);
	if ((r == MQTT_CONNECT_OK || r == MQTT_CONNECT_PARTIAL) && mc.has_password) {
		clear = true;
		weak = mc.weak_password;
	} else if (r == MQTT_NOT_CONNECT) {
		http_basic_parse(pkt->payload, pkt->payload_len, &hb);
		clear = hb.found;
		weak = hb.weak_password;
	}
	if (clear)
		f->login |= FLOW_LOGIN_CLEAR;
	if (weak)
		f->login |= FLOW_LOGIN_WEAK;
}

void engine_posture_flow(struct engine *e, const struct flow *f, const char *app)
{
	if (e->posture == NULL)
		return;
	posture_end(e, f, app, true);
	posture_end(e, f, app, false);
}

const struct posture *engine_posture(const struct engine *e)
{
	return e->posture;
}
