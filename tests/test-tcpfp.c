/*
 * test-tcpfp.c - TCP SYN traits and OS guesses from hand-built option
 * bytes (layouts as the stacks send them, per p0f's signatures), and
 * hostile option lengths that must stop the walk inside the header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fingerprint-tcp.h"

struct fp_case {
	const char *name;
	uint8_t ttl, flags;
	uint16_t win;
	uint8_t opts[40];
	size_t optlen;
	bool is_syn;
	const char *text, *os;
};

#define SYN EW_TH_SYN
static const struct fp_case cases[] = {
	{ "linux", 61, SYN, 64240,
	  { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 }, 20, true,
	  "64:64240:1460:7:M,S,T,N,W", "Linux/Android" },
	{ "windows", 127, SYN, 64240, { 2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 }, 12, true,
	  "128:64240:1460:8:M,N,W,N,N,S", "Windows" },
	{ "macos", 64, SYN, 65535,
	  { 2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 4, 2, 0, 0 }, 24,
	  true, "64:65535:1460:6:M,N,W,N,N,T,S,E", "macOS/iOS" },
	{ "lwip", 255, SYN, 5744, { 2, 4, 5, 0x9c }, 4, true, "255:5744:1436:-:M",
	  "embedded stack" },
	{ "router ttl 255", 250, SYN, 4128, { 2, 4, 5, 0xb4, 1, 1, 4, 2 }, 8, true,
	  "255:4128:1460:-:M,N,N,S", "network OS/RTOS" },
	{ "no options", 64, SYN, 1024, { 0 }, 0, true, "64:1024:0:-:", "unknown" },
	{ "unknown kind kept by number", 64, SYN, 1, { 30, 4, 0, 0, 2, 4, 1, 0 }, 8, true,
	  "64:1:256:-:30,M", "unknown" },
	/* Hostile lengths: the walk stops, nothing is read past the options. */
	{ "length 0", 64, SYN, 1, { 2, 0, 5, 0xb4 }, 4, true, "64:1:0:-::bad", "unknown" },
	{ "length 1", 64, SYN, 1, { 1, 3, 1 }, 3, true, "64:1:0:-:N:bad", "unknown" },
	{ "length past end", 64, SYN, 1, { 2, 4, 5, 0xb4, 8, 10, 0, 0 }, 8, true,
	  "64:1:1460:-:M:bad", "unknown" },
	{ "kind without length", 64, SYN, 1, { 1, 1, 8 }, 3, true, "64:1:0:-:N,N:bad",
	  "unknown" },
	{ "mss wrong size is just an option", 64, SYN, 1, { 2, 3, 5 }, 3, true,
	  "64:1:0:-:2", "unknown" },
	{ "syn+ack is not a client syn", 64, SYN | EW_TH_ACK, 1, { 0 }, 0, false, NULL, NULL },
	{ "ack", 64, EW_TH_ACK, 1, { 0 }, 0, false, NULL, NULL },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fp_case *c = &cases[i];
		uint8_t *opts = malloc(c->optlen ? c->optlen : 1); /* exact size for ASan */
		struct ew_packet p;
		struct tcp_syn_fp fp;
		char text[256];

		assert_non_null(opts);
		memcpy(opts, c->opts, c->optlen);
		memset(&p, 0, sizeof(p));
		p.l4_proto = EW_IPPROTO_TCP;
		p.has_l4 = true;
		p.ttl = c->ttl;
		p.tcp_flags = c->flags;
		p.tcp_win = c->win;
		p.tcp_opts = opts;
		p.tcp_opts_len = (uint32_t)c->optlen;
		if (tcp_syn_fingerprint(&p, &fp) != c->is_syn)
			fail_msg("case %s: syn detection", c->name);
		if (c->is_syn) {
			tcp_syn_fp_text(&fp, text, sizeof(text));
			if (strcmp(text, c->text) != 0)
				fail_msg("case %s: text '%s', want '%s'", c->name, text, c->text);
			if (strcmp(tcp_syn_os_guess(&fp), c->os) != 0)
				fail_msg("case %s: os '%s', want '%s'", c->name, tcp_syn_os_guess(&fp),
					 c->os);
		}
		free(opts);
	}
}

/* 40 NOPs: the longest layout still fits its buffer. */
static void test_forty_nops(void **state)
{
	uint8_t *opts = malloc(40);
	struct ew_packet p;
	struct tcp_syn_fp fp;

	(void)state;
	assert_non_null(opts);
	memset(opts, 1, 40);
	memset(&p, 0, sizeof(p));
	p.l4_proto = EW_IPPROTO_TCP;
	p.has_l4 = true;
	p.tcp_flags = EW_TH_SYN;
	p.tcp_opts = opts;
	p.tcp_opts_len = 40;
	assert_true(tcp_syn_fingerprint(&p, &fp));
	assert_int_equal(strlen(fp.layout), 40 * 2 - 1);
	free(opts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_forty_nops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
