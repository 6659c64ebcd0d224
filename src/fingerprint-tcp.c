/*
 * fingerprint-tcp.c - TCP SYN traits and OS family guess (see fingerprint-tcp.h).
 *
 * The guesses follow the option layouts that the major stacks have sent
 * for years (as listed in p0f's signature file): a weak signal on its
 * own, one piece of evidence among the others a device shows.
 */
#include <stdio.h>
#include <string.h>

#include "fingerprint-tcp.h"
#include "util-bytes.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_TIMESTAMP 8

static uint8_t initial_ttl(uint8_t ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

static void layout_add(char *layout, size_t *used, const char *item)
{
	size_t n = strlen(item);

	if (*used + n + 2 > TCP_FP_OPTS_MAX * 4 + 1)
		return;
	if (*used > 0)
		layout[(*used)++] = ',';
	memcpy(layout + *used, item, n);
	*used += n;
	layout[*used] = '\0';
}

/* Reads one option with a length byte; false (bad_options) when it does not fit. */
static bool read_sized(struct ew_cursor *c, uint8_t kind, struct tcp_syn_fp *fp,
		       char *item, size_t itemlen)
{
	uint8_t len = ew_u8(c);

	if (c->bad || len < 2 || ew_cursor_left(c) < (size_t)len - 2)
		return false;
	if (kind == TCPOPT_MSS && len == 4) {
		fp->mss = ew_be16(c);
		snprintf(item, itemlen, "M");
	} else if (kind == TCPOPT_WSCALE && len == 3) {
		fp->wscale = ew_u8(c);
		snprintf(item, itemlen, "W");
	} else {
		ew_skip(c, (size_t)len - 2);
		if (kind == TCPOPT_SACK_PERM)
			snprintf(item, itemlen, "S");
		else if (kind == TCPOPT_TIMESTAMP)
			snprintf(item, itemlen, "T");
		else
			snprintf(item, itemlen, "%u", kind);
	}
	return true;
}

bool tcp_syn_fingerprint(const struct ew_packet *pkt, struct tcp_syn_fp *fp)
{
	struct ew_cursor c;
	size_t used = 0;
	char item[8];

	if (pkt->l4_proto != EW_IPPROTO_TCP || !pkt->has_l4 ||
	    (pkt->tcp_flags & (EW_TH_SYN | EW_TH_ACK)) != EW_TH_SYN)
		return false;
	memset(fp, 0, sizeof(*fp));
	fp->ttl = pkt->ttl;
	fp->ttl_initial = initial_ttl(pkt->ttl);
	fp->win = pkt->tcp_win;
	fp->wscale = -1;
	ew_cursor_init(&c, pkt->tcp_opts ? pkt->tcp_opts : (const uint8_t *)"", pkt->tcp_opts_len);
	while (ew_cursor_left(&c) > 0) {
		uint8_t kind = ew_u8(&c);
		if (kind == TCPOPT_EOL) {
			layout_add(fp->layout, &used, "E");
			break; /* the rest is padding */
		}
		if (kind == TCPOPT_NOP) {
			layout_add(fp->layout, &used, "N");
			continue;
		}
		if (!read_sized(&c, kind, fp, item, sizeof(item))) {
			fp->bad_options = true;
			break;
		}
		layout_add(fp->layout, &used, item);
	}
	return true;
}

void tcp_syn_fp_text(const struct tcp_syn_fp *fp, char *buf, size_t len)
{
	char scale[12];

	if (fp->wscale < 0)
		snprintf(scale, sizeof(scale), "-");
	else
		snprintf(scale, sizeof(scale), "%d", fp->wscale);
	snprintf(buf, len, "%u:%u:%u:%s:%s%s", fp->ttl_initial, fp->win, fp->mss, scale,
		 fp->layout, fp->bad_options ? ":bad" : "");
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *tcp_syn_os_guess(const struct tcp_syn_fp *fp)
{
	const char *l = fp->layout;

	/* A broken option list matches no stack's habit: no guess. */
	if (fp->bad_options)
		return "unknown";
	/* lwIP and its kin send only an MSS, whatever their TTL (often 255). */
	if (strcmp(l, "M") == 0)
		return "embedded stack";
	if (fp->ttl_initial == 255)
		return "network OS/RTOS";
	if (fp->ttl_initial == 128 && (starts(l, "M,N,W,N,N,S") || starts(l, "M,N,W,S,T")))
		return "Windows";
	if (fp->ttl_initial == 64 && strcmp(l, "M,S,T,N,W") == 0)
		return "Linux/Android";
	if (fp->ttl_initial == 64 && starts(l, "M,N,W,N,N,T,S"))
		return "macOS/iOS";
	if (fp->ttl_initial == 64 && starts(l, "M,N,W,S,T"))
		return "FreeBSD";
	return "unknown";
}
