/*
 * capture-live.c - packets from a network interface (see capture-live.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "capture-live.h"
#include "decode.h"

struct capture_live {
	pcap_t *p;
	char iface[64];
	int dlt;
	int fd;         /* to poll() on */
	int timeout_ms; /* longest wait for packets before the idle tick */
	/* pcap_stats() counters are 32-bit and wrap: the last reading and the running sums. */
	unsigned int last_recv, last_drop, last_ifdrop;
	struct capture_live_stats st;
	/* The run's callback, for the pcap handler. */
	capture_packet_fn on_packet;
	void *ctx;
};

void capture_live_defaults(struct capture_live_options *o)
{
	memset(o, 0, sizeof(*o));
	o->snaplen = CAPTURE_LIVE_DEFAULT_SNAPLEN;
	o->promiscuous = true;
	o->buffer_mib = CAPTURE_LIVE_DEFAULT_BUFFER_MIB;
	o->timeout_ms = CAPTURE_LIVE_DEFAULT_TIMEOUT_MS;
}

static struct capture_live *fail(struct capture_live *c, char err[CAPTURE_ERRLEN],
				 const char *what, const char *why)
{
	snprintf(err, CAPTURE_ERRLEN, "%s: %s: %s", c->iface, what, why);
	if (c->p != NULL)
		pcap_close(c->p);
	free(c);
	return NULL;
}

struct capture_live *capture_live_open(const struct capture_live_options *o,
				       char err[CAPTURE_ERRLEN])
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture_live *c = calloc(1, sizeof(*c));
	struct bpf_program prog;
	int rc;

	if (c == NULL) {
		snprintf(err, CAPTURE_ERRLEN, "%s: out of memory", o->iface);
		return NULL;
	}
	snprintf(c->iface, sizeof(c->iface), "%s", o->iface);
	c->p = pcap_create(o->iface, errbuf);
	if (c->p == NULL)
		return fail(c, err, "cannot capture", errbuf);
	if (pcap_set_snaplen(c->p, o->snaplen) != 0 || pcap_set_promisc(c->p, o->promiscuous) != 0 ||
	    pcap_set_timeout(c->p, o->timeout_ms) != 0 ||
	    pcap_set_buffer_size(c->p, (int)(o->buffer_mib > 2047 ? 2047 : o->buffer_mib) << 20) != 0 ||
	    pcap_set_immediate_mode(c->p, o->immediate) != 0)
		return fail(c, err, "cannot set up", pcap_geterr(c->p));
	rc = pcap_activate(c->p);
	if (rc < 0) {
		/* Errors with a status of their own say more than pcap_geterr() (often empty). */
		const char *why = rc == PCAP_ERROR ? pcap_geterr(c->p) : pcap_statustostr(rc);

		if (rc == PCAP_ERROR_PERM_DENIED)
			why = "permission denied (run as root or give the program CAP_NET_RAW)";
		return fail(c, err, "cannot start capturing", why);
	}
	/*
	 * Non-blocking, with our own poll() below: libpcap's TPACKET_V3 reader
	 * waits in poll() without a timeout until the kernel hands over a
	 * block, which on a quiet wire is never, so neither a stop request
	 * nor the idle timers would be seen.
	 */
	if (pcap_setnonblock(c->p, 1, errbuf) != 0)
		return fail(c, err, "cannot set up", errbuf);
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0)
		return fail(c, err, "cannot set up", "no file descriptor to wait on");
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : CAPTURE_LIVE_DEFAULT_TIMEOUT_MS;
	c->dlt = pcap_datalink(c->p);
	if (!decode_linktype_supported(c->dlt)) {
		char why[96];

		snprintf(why, sizeof(why), "link type %d (%s) is not one the decoder reads", c->dlt,
			 pcap_datalink_val_to_name(c->dlt) ? pcap_datalink_val_to_name(c->dlt) : "?");
		return fail(c, err, "unsupported interface", why);
	}
	if (o->bpf != NULL && o->bpf[0] != '\0') {
		if (pcap_compile(c->p, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
			return fail(c, err, "bad filter", pcap_geterr(c->p));
		rc = pcap_setfilter(c->p, &prog);
		pcap_freecode(&prog);
		if (rc != 0)
			return fail(c, err, "cannot set the filter", pcap_geterr(c->p));
	}
	return c;
}

int capture_live_dlt(const struct capture_live *c)
{
	return c->dlt;
}

static void handler(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture_live *c = (struct capture_live *)(void *)user;
	ew_usec_t ts = (ew_usec_t)h->ts.tv_sec * EW_USEC_PER_SEC + (ew_usec_t)h->ts.tv_usec;

	c->st.delivered++;
	c->on_packet(c->ctx, c->dlt, ts, data, h->caplen, h->len);
}

static ew_usec_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ew_usec_t)ts.tv_sec * EW_USEC_PER_SEC + (ew_usec_t)ts.tv_nsec / 1000u;
}

/*
 * The idle clock runs this far behind the wall clock, so that packets
 * still in the kernel ring (stamped earlier) never arrive "in the past"
 * of a clock the idle ticks already moved on.
 */
#define IDLE_CLOCK_LAG_US (1u * EW_USEC_PER_SEC)

enum capture_status capture_live_run(struct capture_live *c, capture_packet_fn on_packet,
				     capture_idle_fn on_idle, void *ctx,
				     char err[CAPTURE_ERRLEN])
{
	c->on_packet = on_packet;
	c->ctx = ctx;
	while (!capture_stop_requested()) {
		/* Whatever the ring holds now; 0 at once when it is empty (non-blocking). */
		int n = pcap_dispatch(c->p, -1, handler, (u_char *)(void *)c);

		if (n == PCAP_ERROR) {
			snprintf(err, CAPTURE_ERRLEN, "%s: capture failed: %s", c->iface,
				 pcap_geterr(c->p));
			return CAPTURE_ERR_OPEN;
		}
		if (n == 0) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

			/* A signal ends the wait early (EINTR): the stop flag is read at once. */
			if (poll(&pfd, 1, c->timeout_ms) < 0 && errno != EINTR) {
				snprintf(err, CAPTURE_ERRLEN, "%s: capture failed: %s", c->iface,
					 strerror(errno));
				return CAPTURE_ERR_OPEN;
			}
		}
		if (on_idle != NULL)
			on_idle(ctx, wall_us() - IDLE_CLOCK_LAG_US);
	}
	/*
	 * Stopping: packets the kernel took before the signal may sit in a
	 * ring block it has not handed over yet (it does at the block
	 * timeout).  One more wait of at most that long, and what it hands
	 * over is read, so a stop loses nothing that came before it.
	 */
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, 1, c->timeout_ms) > 0)
		(void)pcap_dispatch(c->p, -1, handler, (u_char *)(void *)c);
	return CAPTURE_OK;
}

/* Adds the growth of a 32-bit counter since the last reading, across a wrap. */
static void add_delta(uint64_t *sum, unsigned int *last, unsigned int now)
{
	*sum += (unsigned int)(now - *last);
	*last = now;
}

void capture_live_stats(struct capture_live *c, struct capture_live_stats *st)
{
	struct pcap_stat ps;

	if (pcap_stats(c->p, &ps) == 0) {
		add_delta(&c->st.received, &c->last_recv, ps.ps_recv);
		add_delta(&c->st.dropped, &c->last_drop, ps.ps_drop);
		add_delta(&c->st.if_dropped, &c->last_ifdrop, ps.ps_ifdrop);
	}
	*st = c->st;
}

void capture_live_close(struct capture_live *c)
{
	if (c == NULL)
		return;
	pcap_close(c->p);
	free(c);
}
