/*
 * enforce-nft.c - the enforcement point's nftables table as script text,
 * and running nft on it (see enforce-nft.h).
 *
 * The script is plain nft syntax so that a person can read what the
 * enforcer did (tests compare it byte for byte) and nft itself checks it;
 * libnftables would save one fork per request, which at a few requests
 * an hour is not worth a new library in a process holding CAP_NET_ADMIN.
 */
#define _GNU_SOURCE /* memfd_create */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enforce-nft.h"

#define ENFT_ELEM_MAX 128 /* "v6 . v6 . tcp . 65535": 39 + 3 + 39 + 3 + 3 + 3 + 5 */

enum enft_set { SET_MAC = 0, SET_V4, SET_V6, SET_ALLOW4, SET_ALLOW6, SET_COUNT };

static const char *const set_names[SET_COUNT] = {
	"isolated_mac", "isolated_v4", "isolated_v6", "allow_v4", "allow_v6",
};

static const char *const set_types[SET_COUNT] = {
	"ether_addr",
	"ipv4_addr",
	"ipv6_addr",
	"ipv4_addr . ipv4_addr . inet_proto . inet_service",
	"ipv6_addr . ipv6_addr . inet_proto . inet_service",
};

/*
 * The chain's rules, in order.  Allowed flows first, both directions (the
 * reply of an allowed DNS query comes from port 53 to the device); then
 * the drops.  ether saddr only sees the sender's MAC, so traffic towards
 * a device is dropped by its addresses.
 */
static const char *const chain_rules[] = {
	"ip saddr . ip daddr . meta l4proto . th dport @allow_v4 accept",
	"ip daddr . ip saddr . meta l4proto . th sport @allow_v4 accept",
	"ip6 saddr . ip6 daddr . meta l4proto . th dport @allow_v6 accept",
	"ip6 daddr . ip6 saddr . meta l4proto . th sport @allow_v6 accept",
	"ether saddr @isolated_mac drop",
	"ip saddr @isolated_v4 drop",
	"ip daddr @isolated_v4 drop",
	"ip6 saddr @isolated_v6 drop",
	"ip6 daddr @isolated_v6 drop",
};

/* ------------------------------------------------------------ buffer */

void enft_buf_reset(struct enft_buf *b)
{
	b->len = 0;
	b->overflow = false;
	if (b->text)
		b->text[0] = '\0';
}

void enft_buf_free(struct enft_buf *b)
{
	if (!b)
		return;
	free(b->text);
	memset(b, 0, sizeof(*b));
}

__attribute__((format(printf, 2, 3)))
static int buf_printf(struct enft_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return -1;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->text ? b->text + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		size_t want = b->len + (size_t)n + 1;
		if (want > ENFT_SCRIPT_MAX) {
			b->overflow = true;
			return -1;
		}
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < want)
			cap *= 2;
		if (cap > ENFT_SCRIPT_MAX)
			cap = ENFT_SCRIPT_MAX;
		char *p = realloc(b->text, cap);
		if (!p)
			return -1;
		b->text = p;
		b->cap = cap;
	}
}

/* ------------------------------------------------------------ names and targets */

bool enft_table_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > ENFT_TABLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool digit = c >= '0' && c <= '9';
		if (!alpha && !(i > 0 && (digit || c == '_')))
			return false;
	}
	return true;
}

static bool addr_equal(const struct ew_addr *a, const struct ew_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

bool enft_target_overlaps(const struct enft_target *a, const struct enft_target *b)
{
	if (a->has_mac && b->has_mac && memcmp(a->mac, b->mac, sizeof(a->mac)) == 0)
		return true;
	for (size_t i = 0; i < a->n_addrs; i++)
		for (size_t j = 0; j < b->n_addrs; j++)
			if (addr_equal(&a->addrs[i], &b->addrs[j]))
				return true;
	return false;
}

/* ------------------------------------------------------------ element lists */

/* The distinct elements of one set, as nft text. */
struct elem_list {
	char (*e)[ENFT_ELEM_MAX];
	size_t n, cap;
};

struct elem_sets {
	struct elem_list s[SET_COUNT];
};

static void elem_sets_free(struct elem_sets *es)
{
	for (int i = 0; i < SET_COUNT; i++)
		free(es->s[i].e);
}

/* Adds text to l unless it is there already; -1 on allocation failure. */
static int elem_add(struct elem_list *l, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->e[i], text) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char(*p)[ENFT_ELEM_MAX] = realloc(l->e, cap * sizeof(*p));
		if (!p)
			return -1;
		l->e = p;
		l->cap = cap;
	}
	snprintf(l->e[l->n++], ENFT_ELEM_MAX, "%s", text);
	return 0;
}

static const char *proto_name(uint8_t proto)
{
	/* The request parser admits tcp and udp only; anything else is no element. */
	if (proto == EW_IPPROTO_TCP)
		return "tcp";
	if (proto == EW_IPPROTO_UDP)
		return "udp";
	return NULL;
}

static int collect(struct elem_sets *es, const struct enft_target *t)
{
	char text[ENFT_ELEM_MAX];
	char dev[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (t->has_mac) {
		const uint8_t *m = t->mac;
		snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
		if (elem_add(&es->s[SET_MAC], text) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->n_addrs && i < QREQ_ADDRS_ENTRIES_MAX; i++) {
		const struct ew_addr *a = &t->addrs[i];
		if (a->family != EW_AF_INET && a->family != EW_AF_INET6)
			continue;
		bool v4 = a->family == EW_AF_INET;
		ew_addr_format(a, dev, sizeof(dev));
		if (elem_add(&es->s[v4 ? SET_V4 : SET_V6], dev) < 0)
			return -1;
		for (size_t j = 0; j < t->n_allow && j < QREQ_ALLOW_ENTRIES_MAX; j++) {
			const struct qreq_dest *d = &t->allow[j];
			const char *proto = proto_name(d->proto);
			if (!proto || d->addr.family != a->family)
				continue;
			ew_addr_format(&d->addr, dst, sizeof(dst));
			snprintf(text, sizeof(text), "%s . %s . %s . %u", dev, dst, proto,
				 (unsigned)d->port);
			if (elem_add(&es->s[v4 ? SET_ALLOW4 : SET_ALLOW6], text) < 0)
				return -1;
		}
	}
	return 0;
}

/* "VERB element inet TABLE SET { e1, e2 }" with suffix after each element. */
static int emit_line(struct enft_buf *b, const char *verb, const char *table, int set,
		     const struct elem_list *l, const char *suffix)
{
	buf_printf(b, "%s element inet %s %s { ", verb, table, set_names[set]);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(b, "%s%s%s", i ? ", " : "", l->e[i], suffix);
	return buf_printf(b, " }\n");
}

/*
 * Removes every element of es (add first, so that the delete cannot fail
 * on a missing one), then, if timeout_ms > 0, adds them back with it.
 */
static int emit_sets(struct enft_buf *b, const char *table, const struct elem_sets *es,
		     uint64_t timeout_ms)
{
	char suffix[48];

	snprintf(suffix, sizeof(suffix), " timeout %llums", (unsigned long long)timeout_ms);
	for (int s = 0; s < SET_COUNT; s++) {
		const struct elem_list *l = &es->s[s];
		if (l->n == 0)
			continue;
		emit_line(b, "add", table, s, l, "");
		emit_line(b, "delete", table, s, l, "");
		if (timeout_ms > 0)
			emit_line(b, "add", table, s, l, suffix);
	}
	return b->overflow ? -1 : 0;
}

/* ------------------------------------------------------------ scripts */

int enft_script_setup(struct enft_buf *b, const char *table)
{
	buf_printf(b, "add table inet %s\n", table);
	for (int s = 0; s < SET_COUNT; s++)
		buf_printf(b, "add set inet %s %s { type %s; flags timeout; }\n", table,
			   set_names[s], set_types[s]);
	buf_printf(b,
		   "add chain inet %s forward { type filter hook forward priority filter - 1; "
		   "policy accept; }\n",
		   table);
	/* Flush and reload in the same transaction: never a moment without the rules. */
	buf_printf(b, "flush chain inet %s forward\n", table);
	for (size_t i = 0; i < sizeof(chain_rules) / sizeof(chain_rules[0]); i++)
		buf_printf(b, "add rule inet %s forward %s\n", table, chain_rules[i]);
	return b->overflow || !b->text ? -1 : 0;
}

static int script_two(struct enft_buf *b, const char *table, const struct enft_target *old,
		      const struct enft_target *t, uint64_t timeout_ms)
{
	struct elem_sets gone = { 0 }, now = { 0 };
	int rc = -1;

	if (old && collect(&gone, old) < 0)
		goto out;
	if (collect(&now, t) < 0)
		goto out;
	if (timeout_ms == 0) {
		/* A release: one removal of both, no element twice. */
		for (int s = 0; s < SET_COUNT; s++)
			for (size_t i = 0; i < gone.s[s].n; i++)
				if (elem_add(&now.s[s], gone.s[s].e[i]) < 0)
					goto out;
		rc = emit_sets(b, table, &now, 0);
		goto out;
	}
	if (old && emit_sets(b, table, &gone, 0) < 0)
		goto out;
	rc = emit_sets(b, table, &now, timeout_ms);
out:
	elem_sets_free(&gone);
	elem_sets_free(&now);
	return rc;
}

int enft_script_apply(struct enft_buf *b, const char *table, const struct enft_target *old,
		      const struct enft_target *t, uint64_t timeout_ms)
{
	if (timeout_ms == 0)
		timeout_ms = 1; /* 0 would mean "remove"; the caller refuses expired requests */
	return script_two(b, table, old, t, timeout_ms);
}

int enft_script_release(struct enft_buf *b, const char *table, const struct enft_target *old,
			const struct enft_target *t)
{
	return script_two(b, table, old, t, 0);
}

/* ------------------------------------------------------------ running nft */

/* The first line of nft's complaint, control bytes as '?'. */
static void first_line(const char *out, size_t n, char *err, size_t errlen)
{
	char line[ENFT_ERR_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < sizeof(line); i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == '\n') {
			if (k > 0)
				break;
			continue;
		}
		line[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	line[k] = '\0';
	snprintf(err, errlen, "nft: %s", k ? line : "failed without a message");
}

int enft_run(const char *nft_path, const char *script, size_t len, char *err, size_t errlen)
{
	int in = -1, out[2] = { -1, -1 }, status = 0, rc = -1;
	char msg[ENFT_ERR_MAX * 4];
	size_t got = 0;

	/*
	 * The script goes in a memory file given to nft as its standard input:
	 * no pipe to keep fed while nft writes its errors, so no deadlock
	 * whatever their sizes.
	 */
	in = memfd_create("edgewatch-nft", MFD_CLOEXEC);
	if (in < 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "nft: %s", strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(in, script + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "nft: writing the script: %s", strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (lseek(in, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "nft: %s", strerror(errno));
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "nft: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Writable copies: execve's prototype predates const. */
		char a0[] = "nft", a1[] = "-f", a2[] = "-";
		char e0[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
		char *const argv[] = { a0, a1, a2, NULL };
		char *const envp[] = { e0, NULL };
		if (dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
		execve(nft_path, argv, envp);
		_exit(127);
	}
	close(out[1]);
	out[1] = -1;
	for (;;) {
		char chunk[512];
		ssize_t r = read(out[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		size_t take = (size_t)r;
		if (take > sizeof(msg) - got)
			take = sizeof(msg) - got; /* keep the start; drain the rest */
		memcpy(msg + got, chunk, take);
		got += take;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "nft: waitpid: %s", strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "nft: cannot run %s", nft_path);
	} else if (got > 0) {
		first_line(msg, got, err, errlen);
	} else {
		snprintf(err, errlen, "nft: exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
out:
	if (in >= 0)
		close(in);
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	return rc;
}
