/*
 * test-ssdp.c - unit tests for the SSDP parser (src/fingerprint-ssdp.c).
 *
 * Messages are C string literals with their line ends spelled out; their
 * length is taken with sizeof, so NUL bytes inside are part of them.
 * Every message is copied into an exactly-sized heap buffer, so that
 * AddressSanitizer catches a one-byte over-read.
 *
 * Groups: three good messages (a Hue bridge's NOTIFY, a browser's
 * M-SEARCH, a Sonos speaker's search response) with every kept value, a
 * table of odd and hostile messages with the result and quirk bits each
 * must give, limits built by code (a 10 kB line, 500 headers), and a sweep
 * over every prefix of the good messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-ssdp.h"

/* ------------------------------------------------------------ messages */

/* A Philips Hue bridge announcing its root device, CRLF throughout. */
static const char hue_notify[] =
	"NOTIFY * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"CACHE-CONTROL: max-age=100\r\n"
	"LOCATION: http://192.168.1.20:80/description.xml\r\n"
	"SERVER: Hue/1.0 UPnP/1.0 IpBridge/1.48.0\r\n"
	"NTS: ssdp:alive\r\n"
	"hue-bridgeid: 001788FFFE1A2B3C\r\n"
	"NT: upnp:rootdevice\r\n"
	"USN: uuid:2f402f80-da50-11e1-9b23-0017881a2b3c::upnp:rootdevice\r\n"
	"\r\n";

/* A browser looking for DIAL (cast) devices; quoted MAN, mixed-case names. */
static const char chrome_msearch[] =
	"M-SEARCH * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"MAN: \"ssdp:discover\"\r\n"
	"MX: 1\r\n"
	"ST: urn:dial-multiscreen-org:service:dial:1\r\n"
	"User-Agent: Google Chrome/120.0.6099.109 Windows\r\n"
	"\r\n";

/* A Sonos speaker's unicast answer; EXT has an empty value. */
static const char sonos_response[] =
	"HTTP/1.1 200 OK\r\n"
	"CACHE-CONTROL: max-age = 1800\r\n"
	"EXT:\r\n"
	"LOCATION: http://192.168.1.30:1400/xml/device_description.xml\r\n"
	"SERVER: Linux UPnP/1.0 Sonos/70.3-35220 (ZPS1)\r\n"
	"ST: urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
	"USN: uuid:RINCON_48A6B8C0FFEE01400::urn:schemas-upnp-org:device:ZonePlayer:1\r\n"
	"X-RINCON-HOUSEHOLD: Sonos_x8XP1FHJ2kQm\r\n"
	"\r\n";

/* ------------------------------------------------------------ helpers */

/* Parses bytes from an exactly-sized heap copy, and checks what always holds. */
static enum ssdp_result parse_bytes(const void *bytes, size_t len, struct ssdp_info *info)
{
	uint8_t *buf = malloc(len > 0 ? len : 1);
	enum ssdp_result r;
	const struct ssdp_value *vals[] = {
		&info->server,	   &info->nt,	&info->nts,	   &info->usn,
		&info->st,	   &info->location, &info->user_agent, &info->cache_control,
	};

	assert_non_null(buf);
	if (len > 0)
		memcpy(buf, bytes, len);
	r = ssdp_parse(buf, len, info);
	free(buf);

	assert_true(r < SSDP_RESULT_MAX);
	assert_int_equal(info->result, r);
	assert_true(info->nheaders <= SSDP_MAX_HEADERS + 1);
	/* Errors about a line say which; an empty message has none. */
	if (r == SSDP_OK || r == SSDP_ERR_EMPTY)
		assert_int_equal(info->err_line, 0);
	else
		assert_true(info->err_line >= 1);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		size_t n = strnlen(vals[i]->text, SSDP_VALUE_MAX);

		assert_true(n < SSDP_VALUE_MAX);
		assert_true(vals[i]->present || (n == 0 && !vals[i]->cut));
		assert_true(!vals[i]->cut || n == SSDP_VALUE_MAX - 1);
		/* Kept values are trimmed and hold no line ends. */
		if (n > 0)
			assert_true(vals[i]->text[0] != ' ' && vals[i]->text[n - 1] != ' ');
		assert_null(memchr(vals[i]->text, '\n', n));
	}
	return r;
}

#define PARSE(msg, info) parse_bytes((msg), sizeof(msg) - 1, (info))

static struct ssdp_info info_buf;

/* ----------------------------------------------------- good messages */

static void test_notify(void **state)
{
	struct ssdp_info *info = &info_buf;

	(void)state;
	assert_int_equal(PARSE(hue_notify, info), SSDP_OK);
	assert_int_equal(info->kind, SSDP_KIND_NOTIFY);
	assert_int_equal(info->http_minor, 1);
	assert_int_equal(info->nheaders, 8);
	assert_int_equal(info->quirks, 0);
	assert_string_equal(info->server.text, "Hue/1.0 UPnP/1.0 IpBridge/1.48.0");
	assert_string_equal(info->nt.text, "upnp:rootdevice");
	assert_string_equal(info->nts.text, "ssdp:alive");
	assert_string_equal(info->usn.text,
			    "uuid:2f402f80-da50-11e1-9b23-0017881a2b3c::upnp:rootdevice");
	assert_string_equal(info->location.text, "http://192.168.1.20:80/description.xml");
	assert_string_equal(info->cache_control.text, "max-age=100");
	assert_false(info->st.present);
	assert_false(info->user_agent.present);
	assert_false(info->server.cut);
}

static void test_msearch(void **state)
{
	struct ssdp_info *info = &info_buf;

	(void)state;
	assert_int_equal(PARSE(chrome_msearch, info), SSDP_OK);
	assert_int_equal(info->kind, SSDP_KIND_MSEARCH);
	assert_int_equal(info->nheaders, 5);
	assert_int_equal(info->quirks, 0);
	assert_string_equal(info->st.text, "urn:dial-multiscreen-org:service:dial:1");
	assert_true(info->user_agent.present);
	assert_string_equal(info->user_agent.text, "Google Chrome/120.0.6099.109 Windows");
	assert_false(info->server.present);
	assert_false(info->location.present);
}

static void test_response(void **state)
{
	struct ssdp_info *info = &info_buf;

	(void)state;
	assert_int_equal(PARSE(sonos_response, info), SSDP_OK);
	assert_int_equal(info->kind, SSDP_KIND_RESPONSE);
	assert_int_equal(info->status, 200);
	assert_int_equal(info->nheaders, 7);
	assert_int_equal(info->quirks, 0);
	assert_string_equal(info->cache_control.text, "max-age = 1800");
	assert_string_equal(info->server.text, "Linux UPnP/1.0 Sonos/70.3-35220 (ZPS1)");
	assert_string_equal(info->st.text, "urn:schemas-upnp-org:device:ZonePlayer:1");
	assert_string_equal(info->location.text,
			    "http://192.168.1.30:1400/xml/device_description.xml");
	assert_string_equal(info->usn.text,
			    "uuid:RINCON_48A6B8C0FFEE01400::urn:schemas-upnp-org:device:ZonePlayer:1");
}

/* The same NOTIFY with bare LFs, lower-case names and no space after colons. */
static void test_bare_lf_lower_case(void **state)
{
	static const char msg[] = "NOTIFY * HTTP/1.1\n"
				  "server:Hue/1.0 UPnP/1.0 IpBridge/1.48.0\n"
				  "nt:\tupnp:rootdevice \t\n"
				  "\n";
	struct ssdp_info *info = &info_buf;

	(void)state;
	assert_int_equal(PARSE(msg, info), SSDP_OK);
	assert_int_equal(info->quirks, SSDP_QUIRK_BARE_LF);
	assert_string_equal(info->server.text, "Hue/1.0 UPnP/1.0 IpBridge/1.48.0");
	assert_string_equal(info->nt.text, "upnp:rootdevice");
}

/* ------------------------------------------------------ hostile cases */

#define MSG(s) s, sizeof(s) - 1
#define CRLF "\r\n"
#define START "NOTIFY * HTTP/1.1" CRLF
#define END CRLF

struct hostile_case {
	const char *name;
	const char *bytes;
	size_t len;
	enum ssdp_result result;
	uint32_t quirks;
	enum ssdp_kind kind;
	size_t err_line;
};

#define Q_NOEND (SSDP_QUIRK_NO_LINE_END | SSDP_QUIRK_NO_EMPTY_LINE)
#define NOTIFY SSDP_KIND_NOTIFY
#define NONE SSDP_KIND_NONE

static const struct hostile_case hostile[] = {
	{ "empty", MSG(""), SSDP_ERR_EMPTY, 0, NONE, 0 },
	{ "only a line end", MSG(CRLF), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "no CRLF at all", MSG("NOTIFY * HTTP/1.1 HOST: 239.255.255.250:1900 NT: upnp:rootdevice"),
	  SSDP_ERR_START_LINE, SSDP_QUIRK_NO_LINE_END, NONE, 1 },
	{ "start line alone, no line end", MSG("M-SEARCH * HTTP/1.1"), SSDP_OK, Q_NOEND,
	  SSDP_KIND_MSEARCH, 0 },
	{ "last header without line end", MSG(START "NT: upnp:rootdevice"), SSDP_OK, Q_NOEND,
	  NOTIFY, 0 },
	{ "no empty line", MSG(START "NT: upnp:rootdevice" CRLF), SSDP_OK,
	  SSDP_QUIRK_NO_EMPTY_LINE, NOTIFY, 0 },
	{ "CR only line ends", MSG("NOTIFY * HTTP/1.1\rNT: x\r\r"), SSDP_ERR_START_LINE,
	  SSDP_QUIRK_NO_LINE_END, NONE, 1 },
	{ "NUL in a value", MSG(START "SERVER: Hue\0/1.0" CRLF END), SSDP_OK, SSDP_QUIRK_NUL,
	  NOTIFY, 0 },
	{ "NUL in the start line", MSG("NOTIFY\0* HTTP/1.1" CRLF END), SSDP_ERR_START_LINE,
	  SSDP_QUIRK_NUL, NONE, 1 },
	{ "NUL bytes only", MSG("\0\0\0\0"), SSDP_ERR_START_LINE,
	  SSDP_QUIRK_NUL | SSDP_QUIRK_NO_LINE_END, NONE, 1 },
	{ "header without colon", MSG(START "this is no header" CRLF "NT: x" CRLF END), SSDP_OK,
	  SSDP_QUIRK_NO_COLON, NOTIFY, 0 },
	{ "empty header name", MSG(START ": value" CRLF END), SSDP_OK, SSDP_QUIRK_EMPTY_NAME,
	  NOTIFY, 0 },
	{ "space before colon", MSG(START "SERVER : x" CRLF END), SSDP_OK, SSDP_QUIRK_SPACE_NAME,
	  NOTIFY, 0 },
	{ "repeated header", MSG(START "NT: a" CRLF "nt: b" CRLF END), SSDP_OK,
	  SSDP_QUIRK_DUPLICATE, NOTIFY, 0 },
	{ "folded line", MSG(START "SERVER: a" CRLF " b" CRLF END), SSDP_OK, SSDP_QUIRK_FOLDED,
	  NOTIFY, 0 },
	{ "body", MSG(START "NT: a" CRLF END "<xml/>"), SSDP_OK, SSDP_QUIRK_BODY, NOTIFY, 0 },
	{ "target not *", MSG("M-SEARCH /x HTTP/1.1" CRLF END), SSDP_OK, SSDP_QUIRK_TARGET,
	  SSDP_KIND_MSEARCH, 0 },
	{ "HTTP/1.0 response", MSG("HTTP/1.0 200 OK" CRLF END), SSDP_OK, 0, SSDP_KIND_RESPONSE,
	  0 },
	{ "response without reason", MSG("HTTP/1.1 404" CRLF END), SSDP_OK, 0,
	  SSDP_KIND_RESPONSE, 0 },
	{ "unknown method", MSG("GET / HTTP/1.1" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "lower-case method", MSG("notify * HTTP/1.1" CRLF END), SSDP_ERR_START_LINE, 0, NONE,
	  1 },
	{ "two spaces", MSG("NOTIFY  * HTTP/1.1" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "no version", MSG("NOTIFY *" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "version HTTP/2.0", MSG("HTTP/2.0 200 OK" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "version HTTP/1.11", MSG("NOTIFY * HTTP/1.11" CRLF END), SSDP_ERR_START_LINE, 0, NONE,
	  1 },
	{ "status 2x0", MSG("HTTP/1.1 2x0 OK" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "status 20", MSG("HTTP/1.1 20" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "status 2000", MSG("HTTP/1.1 2000 OK" CRLF END), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "binary", MSG("\xff\xfe\x01\x02\r\n"), SSDP_ERR_START_LINE, 0, NONE, 1 },
	{ "DNS message on port 1900", MSG("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"),
	  SSDP_ERR_START_LINE, SSDP_QUIRK_NUL | SSDP_QUIRK_NO_LINE_END, NONE, 1 },
};

static void test_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile_case *h = &hostile[i];
		enum ssdp_result r = parse_bytes(h->bytes, h->len, &info_buf);

		if (r != h->result || info_buf.quirks != h->quirks || info_buf.kind != h->kind ||
		    info_buf.err_line != h->err_line)
			fail_msg("case \"%s\": %s, quirks %#x, kind %d, line %zu; "
				 "want %s, %#x, %d, %zu",
				 h->name, ssdp_result_name(r), (unsigned)info_buf.quirks,
				 (int)info_buf.kind, info_buf.err_line, ssdp_result_name(h->result),
				 (unsigned)h->quirks, (int)h->kind, h->err_line);
	}
}

/* What the table rows keep, beyond result and quirks. */
static void test_hostile_values(void **state)
{
	struct ssdp_info *info = &info_buf;

	(void)state;
	assert_int_equal(PARSE(START "SERVER: Hue\0/1.0" CRLF END, info), SSDP_OK);
	assert_string_equal(info->server.text, "Hue /1.0");
	assert_int_equal(PARSE(START "this is no header" CRLF "NT: x" CRLF END, info), SSDP_OK);
	assert_string_equal(info->nt.text, "x");
	assert_int_equal(info->nheaders, 2);
	assert_int_equal(PARSE(START "NT: a" CRLF "nt: b" CRLF END, info), SSDP_OK);
	assert_string_equal(info->nt.text, "a");
	assert_int_equal(PARSE(START "SERVER: a" CRLF " b" CRLF END, info), SSDP_OK);
	assert_string_equal(info->server.text, "a");
	assert_int_equal(PARSE(START "NT: upnp:rootdevice", info), SSDP_OK);
	assert_string_equal(info->nt.text, "upnp:rootdevice");
	assert_int_equal(PARSE("HTTP/1.1 404" CRLF END, info), SSDP_OK);
	assert_int_equal(info->status, 404);
	assert_int_equal(PARSE(START "EXT:" CRLF "NTS:   " CRLF END, info), SSDP_OK);
	assert_true(info->nts.present);
	assert_string_equal(info->nts.text, "");
	assert_int_equal(ssdp_parse(NULL, 1, info), SSDP_ERR_ARGS);
	assert_int_equal(ssdp_parse((const uint8_t *)"x", 1, NULL), SSDP_ERR_ARGS);
	assert_string_equal(ssdp_result_name(SSDP_ERR_LINE_TOO_LONG), "ssdp.line_too_long");
	assert_string_equal(ssdp_result_name((enum ssdp_result)99), "ssdp.unknown");
}

/* -------------------------------------------------------------- limits */

/* A message built by code: the start line, then whatever the test adds. */
struct writer {
	char buf[32768];
	size_t len;
};

static void put(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	assert_true(n <= sizeof(w->buf) - w->len);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_repeat(struct writer *w, char ch, size_t n)
{
	assert_true(n <= sizeof(w->buf) - w->len);
	memset(w->buf + w->len, ch, n);
	w->len += n;
}

/* A SERVER line whose whole length, without CRLF, is line_len. */
static void put_server_line(struct writer *w, size_t line_len)
{
	put(w, "SERVER: ");
	put_repeat(w, 'a', line_len - strlen("SERVER: "));
	put(w, CRLF);
}

static void test_long_lines(void **state)
{
	static struct writer w;
	struct ssdp_info *info = &info_buf;

	(void)state;
	/* A 10 kB header line: refused on line 3, the line before kept. */
	w.len = 0;
	put(&w, START "NT: x" CRLF);
	put_server_line(&w, 10240);
	put(&w, END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_ERR_LINE_TOO_LONG);
	assert_int_equal(info->err_line, 3);
	assert_string_equal(info->nt.text, "x");
	assert_false(info->server.present);

	/* Exactly SSDP_LINE_MAX is allowed, with CRLF or bare LF; its value is cut. */
	w.len = 0;
	put(&w, START);
	put_server_line(&w, SSDP_LINE_MAX);
	put(&w, END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_true(info->server.cut);
	assert_int_equal(strlen(info->server.text), SSDP_VALUE_MAX - 1);
	w.buf[strlen(START) + SSDP_LINE_MAX] = '\n'; /* the CR becomes a LF: an empty line follows */
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_int_equal(info->quirks, SSDP_QUIRK_BARE_LF | SSDP_QUIRK_BODY);

	/* One byte more is too long, whether or not a CR follows. */
	w.len = 0;
	put(&w, START);
	put_server_line(&w, SSDP_LINE_MAX + 1);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_ERR_LINE_TOO_LONG);
	assert_int_equal(parse_bytes(w.buf, w.len - 2, info), SSDP_ERR_LINE_TOO_LONG);

	/* A start line that is too long. */
	w.len = 0;
	put(&w, "NOTIFY ");
	put_repeat(&w, '*', 4000);
	put(&w, " HTTP/1.1" CRLF END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_ERR_LINE_TOO_LONG);
	assert_int_equal(info->err_line, 1);

	/* A value of 255 bytes is whole; of 256, cut. */
	w.len = 0;
	put(&w, START "USN: ");
	put_repeat(&w, 'u', SSDP_VALUE_MAX - 1);
	put(&w, CRLF END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_false(info->usn.cut);
	w.len -= 4;
	put(&w, "u" CRLF END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_true(info->usn.cut);
}

static void test_many_headers(void **state)
{
	static struct writer w;
	struct ssdp_info *info = &info_buf;

	(void)state;
	/* 500 headers: refused at the 65th, on line 66. */
	w.len = 0;
	put(&w, START);
	for (int i = 0; i < 500; i++)
		put(&w, "X-Pad: 1" CRLF);
	put(&w, END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_ERR_TOO_MANY_HEADERS);
	assert_int_equal(info->err_line, SSDP_MAX_HEADERS + 2);
	assert_int_equal(info->kind, SSDP_KIND_NOTIFY);

	/* Exactly SSDP_MAX_HEADERS is fine, and the last of them is read. */
	w.len = 0;
	put(&w, START);
	for (int i = 0; i < SSDP_MAX_HEADERS - 1; i++)
		put(&w, "X-Pad: 1" CRLF);
	put(&w, "USN: last" CRLF END);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_int_equal(info->nheaders, SSDP_MAX_HEADERS);
	assert_string_equal(info->usn.text, "last");

	/* 500 empty lines after the headers are a body, not headers. */
	w.len = 0;
	put(&w, START END);
	for (int i = 0; i < 500; i++)
		put(&w, CRLF);
	assert_int_equal(parse_bytes(w.buf, w.len, info), SSDP_OK);
	assert_int_equal(info->quirks, SSDP_QUIRK_BODY);
}

static void test_struct_size(void **state)
{
	(void)state;
	print_message("struct ssdp_info: %zu bytes\n", sizeof(struct ssdp_info));
	assert_true(sizeof(struct ssdp_info) <= 2200);
}

/* --------------------------------------------------------- prefixes */

/*
 * Every prefix parses without fault.  Those shorter than the shortest
 * valid start line fail ("HTTP/1.1 200" is one: the reason is optional);
 * longer ones parse, with a quirk to show they were cut.
 */
static void test_prefix_sweep(void **state)
{
	const struct {
		const char *msg;
		size_t min_ok;
	} msgs[] = {
		{ hue_notify, strlen("NOTIFY * HTTP/1.1") },
		{ chrome_msearch, strlen("M-SEARCH * HTTP/1.1") },
		{ sonos_response, strlen("HTTP/1.1 200") },
	};

	(void)state;
	for (size_t m = 0; m < sizeof(msgs) / sizeof(msgs[0]); m++) {
		size_t len = strlen(msgs[m].msg);

		for (size_t cut = 0; cut <= len; cut++) {
			enum ssdp_result r = parse_bytes(msgs[m].msg, cut, &info_buf);

			if ((r == SSDP_OK) != (cut >= msgs[m].min_ok))
				fail_msg("message %zu cut to %zu: %s", m, cut, ssdp_result_name(r));
			if (cut < len && info_buf.quirks == 0 && r == SSDP_OK)
				fail_msg("message %zu cut to %zu of %zu: no quirk", m, cut, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_msearch),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_bare_lf_lower_case),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_many_headers),
		cmocka_unit_test(test_struct_size),
		cmocka_unit_test(test_prefix_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
