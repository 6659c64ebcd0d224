/*
 * fingerprint-mqtt.c - an MQTT CONNECT's login, for the hygiene audit
 * (fingerprint-mqtt.h).
 *
 * The layout (MQTT 3.1.1 section 3.1, MQTT 5.0 section 3.1): a fixed
 * header (0x10, then the remaining length in 1..4 bytes of 7 bits), the
 * protocol name as a 2-byte length and text, the level, the connect
 * flags (bit 7 user name, bit 6 password, bit 2 will, bit 0 reserved and
 * zero), the keep-alive; MQTT 5 adds properties (a variable-length count
 * of bytes); then the client id, the will (5: properties, topic,
 * message), the user name and the password, each a 2-byte length and
 * bytes.
 */
#include <string.h>

#include "fingerprint-login.h"
#include "fingerprint-mqtt.h"

#define CONNECT_BYTE 0x10
#define FLAG_USER 0x80
#define FLAG_PASSWORD 0x40
#define FLAG_WILL 0x04
#define FLAG_RESERVED 0x01

/* A bounded reader over the captured bytes. */
struct rd {
	const uint8_t *p;
	size_t len, at;
};

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->at >= r->len)
		return false;
	*v = r->p[r->at++];
	return true;
}

/* A 2-byte length and that many bytes; *s points into the packet. */
static bool rd_string(struct rd *r, const uint8_t **s, size_t *n)
{
	uint8_t hi, lo;

	if (!rd_u8(r, &hi) || !rd_u8(r, &lo))
		return false;
	*n = (size_t)hi << 8 | lo;
	if (*n > r->len - r->at)
		return false;
	*s = r->p + r->at;
	r->at += *n;
	return true;
}

/* MQTT's variable byte integer: 1..4 bytes, 7 bits each, low first.  -1 bad, 0 short, 1 ok. */
static int rd_varint(struct rd *r, uint32_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < 4; i++) {
		uint8_t b;

		if (!rd_u8(r, &b))
			return 0;
		*v |= (uint32_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
			return 1;
	}
	return -1; /* a fifth byte: not a length MQTT allows */
}

static bool skip(struct rd *r, size_t n)
{
	if (n > r->len - r->at)
		return false;
	r->at += n;
	return true;
}

/* MQTT 5 properties: a byte count and that many bytes.  OK, cut (short) or MALFORMED. */
static int skip_properties(struct rd *r, enum mqtt_connect_result cut)
{
	uint32_t n;
	int v = rd_varint(r, &n);

	if (v < 0)
		return MQTT_CONNECT_MALFORMED;
	if (v == 0 || !skip(r, n))
		return cut;
	return MQTT_CONNECT_OK;
}

enum mqtt_connect_result mqtt_connect_parse(const uint8_t *p, size_t len,
					    struct mqtt_connect *out)
{
	struct rd r = { p, len, 0 };
	const uint8_t *name, *s, *user = NULL, *pw;
	size_t name_n, n, user_n = 0, pw_n;
	uint8_t first, level, flags;
	uint32_t remaining;
	enum mqtt_connect_result cut;
	bool whole;
	int v;

	memset(out, 0, sizeof(*out));
	if (p == NULL || !rd_u8(&r, &first) || first != CONNECT_BYTE)
		return MQTT_NOT_CONNECT;
	if (rd_varint(&r, &remaining) <= 0)
		return MQTT_NOT_CONNECT;
	/*
	 * Read no further than the packet, as its remaining length bounds it,
	 * nor the capture.  With the whole packet captured, a field running
	 * past its end is malformed; otherwise the capture was cut (partial).
	 */
	whole = remaining <= r.len - r.at;
	if (whole)
		r.len = r.at + remaining;
	cut = whole ? MQTT_CONNECT_MALFORMED : MQTT_CONNECT_PARTIAL;
	/* The protocol name decides whether this is MQTT at all. */
	if (!rd_string(&r, &name, &name_n) ||
	    !((name_n == 4 && memcmp(name, "MQTT", 4) == 0) ||
	      (name_n == 6 && memcmp(name, "MQIsdp", 6) == 0)))
		return MQTT_NOT_CONNECT;
	if (!rd_u8(&r, &level) || !rd_u8(&r, &flags))
		return MQTT_NOT_CONNECT;
	if ((level != 3 && level != 4 && level != 5) || (flags & FLAG_RESERVED) != 0 ||
	    ((flags & FLAG_PASSWORD) && !(flags & FLAG_USER) && level < 5))
		return MQTT_CONNECT_MALFORMED;
	out->level = level;
	out->has_user = (flags & FLAG_USER) != 0;
	out->has_password = (flags & FLAG_PASSWORD) != 0;
	if (!skip(&r, 2)) /* keep-alive */
		return cut;
	if (level == 5 && (v = skip_properties(&r, cut)) != MQTT_CONNECT_OK)
		return (enum mqtt_connect_result)v;
	if (!rd_string(&r, &s, &n)) /* client id */
		return cut;
	if (flags & FLAG_WILL) {
		if (level == 5 && (v = skip_properties(&r, cut)) != MQTT_CONNECT_OK)
			return (enum mqtt_connect_result)v;
		if (!rd_string(&r, &s, &n) || !rd_string(&r, &s, &n)) /* topic, message */
			return cut;
	}
	if (out->has_user && !rd_string(&r, &user, &user_n))
		return cut;
	if (out->has_password) {
		if (!rd_string(&r, &pw, &pw_n))
			return cut;
		out->weak_password = login_password_weak(pw, pw_n, user, user_n);
	}
	return MQTT_CONNECT_OK;
}
