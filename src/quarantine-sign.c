/*
 * quarantine-sign.c - a quarantine request's fields, canonical encoding,
 * signature and key, and the strict parser for one as received (see
 * quarantine-sign.h and docs/redis.md, "Quarantine requests").
 *
 * The parser is written for an enforcement point that trusts nothing in
 * Redis: every value's length is checked before it is copied, a value
 * holding a NUL byte is malformed (it would otherwise be signed over one
 * length and checked over another), each field must appear exactly once
 * and no unknown field is accepted (an unsigned extra field is a place
 * for confusion, and a later version will say "v": "2").
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "quarantine-sign.h"
#include "util-bytes.h"

static const char *const field_names[QF_COUNT] = {
	"v",      "request_id",  "sensor_id", "action",    "mac",        "addrs", "allow",
	"reason", "incident_id", "cause",     "issued_us", "expires_us", "sig",
};

static const char *const action_names[QREQ_ACTION_COUNT] = { "isolate", "restrict", "release" };

static const char *const reject_names[QREQ_REJ_COUNT] = {
	"", "unsigned", "bad_signature", "malformed", "stale", "expired", "replay", "not_allowed",
};

static const char *const outcome_names[QREQ_OUT_COUNT] = {
	"applied", "already", "released", "expired", "rejected",
};

const char *qreq_field_name(enum qreq_field f)
{
	return (unsigned)f < QF_COUNT ? field_names[f] : NULL;
}

const char *qreq_action_name(enum qreq_action a)
{
	return (unsigned)a < QREQ_ACTION_COUNT ? action_names[a] : NULL;
}

const char *qreq_reject_name(enum qreq_reject r)
{
	return (unsigned)r < QREQ_REJ_COUNT ? reject_names[r] : "";
}

const char *qreq_outcome_name(enum qreq_outcome o)
{
	return (unsigned)o < QREQ_OUT_COUNT ? outcome_names[o] : NULL;
}

/* The index of the name equal to s (n bytes) in names, or -1. */
static int name_index(const char *const *names, int count, const char *s, size_t n)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

int qreq_action_from_name(const char *s, size_t n)
{
	return name_index(action_names, QREQ_ACTION_COUNT, s, n);
}

int qreq_outcome_from_name(const char *s, size_t n)
{
	return name_index(outcome_names, QREQ_OUT_COUNT, s, n);
}

int qerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- field syntax ---- */

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool sensor_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > QREQ_SENSOR_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static bool cause_ok(const char *s, size_t n)
{
	if (n == 0 || n > QREQ_CAUSE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == ':' || s[i] == '-'))
			return false;
	return true;
}

/* One line of text: no control byte (C0, DEL) that could break a log line or a terminal. */
static bool reason_ok(const char *s, size_t n)
{
	if (n > QREQ_REASON_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

bool qreq_mac_valid(const char *s, size_t n)
{
	if (n != QREQ_MAC_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return false;
		} else if (!is_lower_hex(s + i, 1)) {
			return false;
		}
	}
	return true;
}

/*
 * A decimal uint64_t as the contract writes it: digits only, no sign, no
 * leading zero (so the text is the one canonical spelling of its value
 * and re-encoding a parsed request gives the bytes that were signed), no
 * overflow.
 */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	return n <= QREQ_U64_DEC_MAX && !(n > 1 && s[0] == '0') && ew_dec_u64(s, n, out);
}

/* An address (n bytes, not NUL-terminated) into *a. */
static bool parse_addr(const char *s, size_t n, struct ew_addr *a)
{
	char buf[EW_ADDR_STRLEN];
	uint8_t b[16];

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, b) == 1) {
		ew_addr_set_v4(a, b);
		return true;
	}
	if (inet_pton(AF_INET6, buf, b) == 1) {
		ew_addr_set_v6(a, b);
		return true;
	}
	return false;
}

/*
 * The next comma-separated entry of list from *pos: its start and length.
 * 0 at the end, -1 for an empty entry (",," or a trailing comma).
 */
static int list_next(const char *list, size_t *pos, const char **start, size_t *n)
{
	const char *s = list + *pos, *comma;

	if (*s == '\0')
		return 0;
	comma = strchr(s, ',');
	*start = s;
	*n = comma != NULL ? (size_t)(comma - s) : strlen(s);
	if (*n == 0 || (comma != NULL && comma[1] == '\0'))
		return -1;
	*pos += *n + (comma != NULL ? 1 : 0);
	return 1;
}

int qreq_addrs_next(const char *list, size_t *pos, struct qreq_dest *out)
{
	const char *s;
	size_t n;
	int rc = list_next(list, pos, &s, &n);

	if (rc <= 0)
		return rc;
	memset(out, 0, sizeof *out);
	return parse_addr(s, n, &out->addr) ? 1 : -1;
}

int qreq_allow_next(const char *list, size_t *pos, struct qreq_dest *out)
{
	const char *s, *slash1, *slash2;
	size_t n;
	uint64_t port;
	int rc = list_next(list, pos, &s, &n);

	if (rc <= 0)
		return rc;
	memset(out, 0, sizeof *out);
	/* "proto/addr/port": an IPv6 address holds ':' but never '/'. */
	slash1 = memchr(s, '/', n);
	if (slash1 == NULL)
		return -1;
	slash2 = memchr(slash1 + 1, '/', n - (size_t)(slash1 + 1 - s));
	if (slash2 == NULL)
		return -1;
	if (slash1 - s == 3 && memcmp(s, "tcp", 3) == 0)
		out->proto = EW_IPPROTO_TCP;
	else if (slash1 - s == 3 && memcmp(s, "udp", 3) == 0)
		out->proto = EW_IPPROTO_UDP;
	else
		return -1;
	if (!parse_addr(slash1 + 1, (size_t)(slash2 - slash1 - 1), &out->addr))
		return -1;
	if (!parse_u64(slash2 + 1, n - (size_t)(slash2 + 1 - s), &port) || port == 0 ||
	    port > 65535)
		return -1;
	out->port = (uint16_t)port;
	return 1;
}

/* Entries of a list, or -1 on a bad entry or more than max. */
static int list_count(const char *list, bool allow_form, unsigned max)
{
	struct qreq_dest d;
	size_t pos = 0;
	unsigned n = 0;
	int rc;

	while ((rc = allow_form ? qreq_allow_next(list, &pos, &d)
				: qreq_addrs_next(list, &pos, &d)) == 1)
		if (++n > max)
			return -1;
	return rc < 0 ? -1 : (int)n;
}

/* Length of a fixed buffer's text; -1 when the buffer holds no NUL. */
static long text_len(const char *buf, size_t size)
{
	size_t n = strnlen(buf, size);

	return n < size ? (long)n : -1;
}

#define TEXT_LEN(r, f) text_len((r)->f, sizeof (r)->f)

int qreq_validate(const struct qreq *r, bool want_sig, char *err, size_t errlen)
{
	long n;
	int cnt;
	bool release = r->action == QREQ_RELEASE;

	if (TEXT_LEN(r, request_id) != QREQ_REQUEST_ID_HEX ||
	    !is_lower_hex(r->request_id, QREQ_REQUEST_ID_HEX))
		return qerr(err, errlen, "request_id: not 32 lowercase hex digits");
	n = TEXT_LEN(r, sensor_id);
	if (n < 0 || !sensor_id_ok(r->sensor_id, (size_t)n))
		return qerr(err, errlen, "sensor_id: not 1..%d of [A-Za-z0-9._-]",
			    QREQ_SENSOR_ID_MAX);
	if (r->action >= QREQ_ACTION_COUNT)
		return qerr(err, errlen, "action: not isolate, restrict or release");
	n = TEXT_LEN(r, mac);
	if (n != 0 && (n < 0 || !qreq_mac_valid(r->mac, (size_t)n)))
		return qerr(err, errlen, "mac: not \"\" nor a lowercase aa:bb:cc:dd:ee:ff");
	if (TEXT_LEN(r, addrs) < 0)
		return qerr(err, errlen, "addrs: too long");
	cnt = list_count(r->addrs, false, QREQ_ADDRS_ENTRIES_MAX);
	if (cnt < 1)
		return qerr(err, errlen, "addrs: not 1..%d comma-separated addresses",
			    QREQ_ADDRS_ENTRIES_MAX);
	if (TEXT_LEN(r, allow) < 0)
		return qerr(err, errlen, "allow: too long");
	if (release && r->allow[0] != '\0')
		return qerr(err, errlen, "allow: not \"\" in a release");
	if (list_count(r->allow, true, QREQ_ALLOW_ENTRIES_MAX) < 0)
		return qerr(err, errlen, "allow: not 0..%d entries of tcp|udp/ADDRESS/PORT",
			    QREQ_ALLOW_ENTRIES_MAX);
	n = TEXT_LEN(r, reason);
	if (n < 0 || !reason_ok(r->reason, (size_t)n))
		return qerr(err, errlen, "reason: over %d bytes or holds a control byte",
			    QREQ_REASON_MAX);
	n = TEXT_LEN(r, incident_id);
	if (n == 0 ? !release : (n != QREQ_INCIDENT_ID_HEX || !is_lower_hex(r->incident_id, 16)))
		return qerr(err, errlen, "incident_id: not 16 lowercase hex digits%s",
			    release ? " nor \"\"" : "");
	n = TEXT_LEN(r, cause);
	if (n < 0 || !cause_ok(r->cause, (size_t)n))
		return qerr(err, errlen, "cause: not 1..%d of [A-Za-z0-9._:-]", QREQ_CAUSE_MAX);
	if (release ? r->expires_us != r->issued_us : r->expires_us <= r->issued_us)
		return qerr(err, errlen, "expires_us: %s issued_us",
			    release ? "not equal to" : "not after");
	if (want_sig && (TEXT_LEN(r, sig) != QREQ_SIG_HEX || !is_lower_hex(r->sig, QREQ_SIG_HEX)))
		return qerr(err, errlen, "sig: not 64 lowercase hex digits");
	return 0;
}

/* ---- canonical encoding, argv ---- */

/* Where a text field lives in a struct qreq and how big its buffer is; 0 size for the others. */
static size_t field_slot(enum qreq_field f, size_t *size)
{
#define SLOT(m) (*size = sizeof ((struct qreq *)0)->m, offsetof(struct qreq, m))
	switch (f) {
	case QF_REQUEST_ID: return SLOT(request_id);
	case QF_SENSOR_ID: return SLOT(sensor_id);
	case QF_MAC: return SLOT(mac);
	case QF_ADDRS: return SLOT(addrs);
	case QF_ALLOW: return SLOT(allow);
	case QF_REASON: return SLOT(reason);
	case QF_INCIDENT_ID: return SLOT(incident_id);
	case QF_CAUSE: return SLOT(cause);
	case QF_SIG: return SLOT(sig);
	default: *size = 0; return 0;
	}
#undef SLOT
}

/* The text of field f of r (numbers into num); its length in *n. */
static const char *field_text(const struct qreq *r, enum qreq_field f,
			      char num[QREQ_U64_DEC_MAX + 1], size_t *n)
{
	const char *v;
	size_t size;

	switch (f) {
	case QF_V: v = QREQ_VERSION; break;
	case QF_ACTION:
		v = qreq_action_name((enum qreq_action)r->action);
		if (v == NULL)
			v = "";
		break;
	case QF_ISSUED_US:
	case QF_EXPIRES_US:
		snprintf(num, QREQ_U64_DEC_MAX + 1, "%" PRIu64,
			 f == QF_ISSUED_US ? r->issued_us : r->expires_us);
		v = num;
		break;
	default:
		v = (const char *)r + field_slot(f, &size);
		if (size > 0) {
			/* A missing NUL stops at the buffer's end. */
			*n = strnlen(v, size);
			return v;
		}
		v = "";
		break;
	}
	*n = strlen(v);
	return v;
}

void qreq_to_argv(const struct qreq *r, struct qreq_argv *out)
{
	for (int f = 0; f < QF_COUNT; f++) {
		char *num = f == QF_EXPIRES_US ? out->num[1] : out->num[0];

		out->argv[2 * f] = field_names[f];
		out->len[2 * f] = strlen(field_names[f]);
		out->argv[2 * f + 1] = field_text(r, (enum qreq_field)f, num, &out->len[2 * f + 1]);
	}
}

/* Appends n bytes at buf[*at], as far as they fit in len - 1; *at counts them all. */
static void put(char *buf, size_t len, size_t *at, const char *s, size_t n)
{
	if (*at < len) {
		size_t room = len - 1 - *at;

		memcpy(buf + *at, s, n < room ? n : room);
	}
	*at += n;
}

size_t qreq_canonical(const struct qreq *r, char *buf, size_t len)
{
	size_t at = 0;

	put(buf, len, &at, QREQ_CANONICAL_MAGIC, strlen(QREQ_CANONICAL_MAGIC));
	for (int f = 0; f < QF_SIGNED_COUNT; f++) {
		char num[QREQ_U64_DEC_MAX + 1], prefix[32];
		size_t n;
		const char *v = field_text(r, (enum qreq_field)f, num, &n);
		int pn = snprintf(prefix, sizeof prefix, "=%zu:", n);

		put(buf, len, &at, field_names[f], strlen(field_names[f]));
		put(buf, len, &at, prefix, (size_t)pn);
		put(buf, len, &at, v, n);
		put(buf, len, &at, "\n", 1);
	}
	if (len > 0)
		buf[at < len ? at : len - 1] = '\0';
	return at;
}

/* ---- key, HMAC ---- */

int qkey_set(struct qkey *key, const void *bytes, size_t len, char *err, size_t errlen)
{
	key->len = 0;
	if (len < QKEY_MIN_BYTES)
		return qerr(err, errlen, "key is %zu bytes; at least %d are needed", len,
			    QKEY_MIN_BYTES);
	if (len > QKEY_MAX_BYTES)
		return qerr(err, errlen, "key is over %d bytes", QKEY_MAX_BYTES);
	memcpy(key->bytes, bytes, len);
	key->len = len;
	return 0;
}

void qkey_wipe(struct qkey *key)
{
	if (key == NULL)
		return;
	OPENSSL_cleanse(key->bytes, sizeof key->bytes);
	key->len = 0;
}

int qkey_read_file(const char *path, struct qkey *key, char *err, size_t errlen)
{
	/* One byte past the cap and one for the newline, to tell "too long" from "at the cap". */
	unsigned char buf[QKEY_MAX_BYTES + 2];
	size_t n = 0;
	struct stat st;
	int fd, rc = -1;

	key->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return qerr(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		qerr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		qerr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		qerr(err, errlen, "%s: readable or writable by group or others (chmod 600)", path);
		goto out;
	}
	while (n < sizeof buf) {
		ssize_t got = read(fd, buf + n, sizeof buf - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			qerr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (qkey_set(key, buf, n, err, errlen) == 0) {
		rc = 0;
	} else if (err != NULL && errlen > 0) {
		char why[96];

		snprintf(why, sizeof why, "%s", err);
		qerr(err, errlen, "%s: %s", path, why);
	}
out:
	OPENSSL_cleanse(buf, sizeof buf);
	close(fd);
	return rc;
}

int qreq_hmac_hex(const void *key, size_t key_len, const void *msg, size_t msg_len,
		  char hex[QREQ_SIG_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";
	static const unsigned char none = 0;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	hex[0] = '\0';
	if (key_len > INT_MAX)
		return -1;
	/* libcrypto wants a non-NULL key even when it is empty. */
	if (HMAC(EVP_sha256(), key_len > 0 ? key : &none, (int)key_len,
		 msg_len > 0 ? msg : &none, msg_len, md, &md_len) == NULL ||
	    md_len * 2 != QREQ_SIG_HEX)
		return -1;
	for (unsigned i = 0; i < md_len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[QREQ_SIG_HEX] = '\0';
	return 0;
}

/* The signature r should carry, into hex; -1 if r cannot be encoded or HMAC fails. */
static int expected_sig(const struct qreq *r, const struct qkey *key, char hex[QREQ_SIG_HEX + 1])
{
	char canon[QREQ_CANONICAL_MAX];
	size_t n = qreq_canonical(r, canon, sizeof canon);
	int rc;

	if (n >= sizeof canon)
		return -1;
	rc = qreq_hmac_hex(key->bytes, key->len, canon, n, hex);
	OPENSSL_cleanse(canon, sizeof canon);
	return rc;
}

int qreq_sign(struct qreq *r, const struct qkey *key, char *err, size_t errlen)
{
	char hex[QREQ_SIG_HEX + 1];

	r->sig[0] = '\0';
	if (key->len < QKEY_MIN_BYTES)
		return qerr(err, errlen, "sig: no key");
	if (qreq_validate(r, false, err, errlen) != 0)
		return -1;
	if (expected_sig(r, key, hex) != 0)
		return qerr(err, errlen, "sig: HMAC-SHA256 failed");
	memcpy(r->sig, hex, sizeof hex);
	return 0;
}

bool qreq_verify_sig(const struct qreq *r, const struct qkey *key)
{
	char hex[QREQ_SIG_HEX + 1];

	if (key->len == 0 || TEXT_LEN(r, sig) != QREQ_SIG_HEX ||
	    expected_sig(r, key, hex) != 0)
		return false;
	/* Constant time: how many leading digits matched must not show in the timing. */
	return CRYPTO_memcmp(hex, r->sig, QREQ_SIG_HEX) == 0;
}

enum qreq_reject qreq_check(const struct qreq *r, const struct qkey *key, uint64_t now_us,
			    uint64_t max_skew_us)
{
	uint64_t skew;

	if (!qreq_verify_sig(r, key))
		return QREQ_REJ_BAD_SIGNATURE;
	skew = r->issued_us > now_us ? r->issued_us - now_us : now_us - r->issued_us;
	if (skew > max_skew_us)
		return QREQ_REJ_STALE;
	if (r->action != QREQ_RELEASE && r->expires_us <= now_us)
		return QREQ_REJ_EXPIRED;
	return QREQ_REJ_NONE;
}

/* ---- parser ---- */

/* Stores one received value of field f into r; -1 with a message when it cannot be. */
static int store_field(struct qreq *r, enum qreq_field f, const char *v, size_t n, char *err,
		       size_t errlen)
{
	size_t size;
	char *dst;
	int a;

	if (v == NULL || memchr(v, '\0', n) != NULL)
		return qerr(err, errlen, "%s: holds a NUL byte", field_names[f]);
	switch (f) {
	case QF_V:
		if (n != 1 || v[0] != '1')
			return qerr(err, errlen, "v: not \"1\"");
		return 0;
	case QF_ACTION:
		a = qreq_action_from_name(v, n);
		if (a < 0)
			return qerr(err, errlen, "action: not isolate, restrict or release");
		r->action = (uint8_t)a;
		return 0;
	case QF_ISSUED_US:
	case QF_EXPIRES_US:
		if (!parse_u64(v, n, f == QF_ISSUED_US ? &r->issued_us : &r->expires_us))
			return qerr(err, errlen, "%s: not a decimal number of microseconds",
				    field_names[f]);
		return 0;
	default:
		dst = (char *)r + field_slot(f, &size);
		if (size == 0 || n >= size)
			return qerr(err, errlen, "%s: %zu bytes is too long", field_names[f], n);
		memcpy(dst, v, n);
		dst[n] = '\0';
		return 0;
	}
}

enum qreq_reject qreq_parse(const char *const *str, const size_t *len, size_t n,
			    struct qreq *out, char *err, size_t errlen)
{
	uint32_t seen = 0;

	memset(out, 0, sizeof *out);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (n % 2 != 0) {
		qerr(err, errlen, "odd number of strings: a field without a value");
		return QREQ_REJ_MALFORMED;
	}
	/* Each field at most once, so more than QF_COUNT pairs are bad before any is read. */
	if (n > 2 * QF_COUNT) {
		qerr(err, errlen, "%zu fields: more than the %d of the contract", n / 2, QF_COUNT);
		return QREQ_REJ_MALFORMED;
	}
	for (size_t i = 0; i < n; i += 2) {
		int f = str[i] != NULL ? name_index(field_names, QF_COUNT, str[i], len[i]) : -1;

		if (f < 0) {
			qerr(err, errlen, "field %zu: not a field of the contract", i / 2 + 1);
			return QREQ_REJ_MALFORMED;
		}
		if (seen & (1u << f)) {
			qerr(err, errlen, "%s: appears twice", field_names[f]);
			return QREQ_REJ_MALFORMED;
		}
		seen |= 1u << f;
		if (store_field(out, (enum qreq_field)f, str[i + 1], len[i + 1], err, errlen) != 0)
			return QREQ_REJ_MALFORMED;
	}
	for (int f = 0; f < QF_SIG; f++)
		if (!(seen & (1u << f))) {
			qerr(err, errlen, "%s: missing", field_names[f]);
			return QREQ_REJ_MALFORMED;
		}
	if (qreq_validate(out, false, err, errlen) != 0)
		return QREQ_REJ_MALFORMED;
	if (!(seen & (1u << QF_SIG))) {
		qerr(err, errlen, "sig: missing");
		return QREQ_REJ_UNSIGNED;
	}
	if (qreq_validate(out, true, err, errlen) != 0)
		return QREQ_REJ_MALFORMED;
	return QREQ_REJ_NONE;
}
