/*
 * gen-flood.c - the flood scenario: one SYN from each of N distinct
 * (address, port) sources to the camera's port 80, 1 us apart, as a
 * SYN flood or a scan looks to the sensor: N one-packet flows.
 *
 * No actors: frames go straight out in time order, each followed by a
 * horizon, so memory stays constant for any N.
 */
#include "gen-flood.h"

#include <string.h>

#include "gen-build.h"
#include "gen-home.h"
#include "gen-sim.h"

int flood_run(const struct gen_options *opt, const struct gen_output *out)
{
	const struct dev_def *cam = home_device(DEV_CAMERA), *rtr = home_device(DEV_ROUTER);
	uint64_t n = opt->flows ? opt->flows : GEN_FLOOD_FLOWS;
	struct sim sim;
	struct gen_conv c;
	struct gen_rng rng;

	sim_init(&sim, opt, out, rtr->mac);
	gen_rng_seed(&rng, opt->seed);
	memset(&c, 0, sizeof(c));
	if (opt->ipv6)
		gen_addr6(&c.addr[1], 0x20010db800010000ULL, gen_eui64(cam->mac));
	else
		gen_addr4(&c.addr[1], 0xc0a80100u | cam->host);
	memcpy(c.mac[0], rtr->mac, 6);
	memcpy(c.mac[1], cam->mac, 6);
	c.proto = 6;
	c.opts = GEN_OPT_DF;
	c.port[1] = 80;
	c.syn_style[0] = c.syn_style[1] = GEN_SYN_MINIMAL;
	c.mss[0] = c.mss[1] = 1460;
	c.syn_win[0] = 1024;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = GEN_START_S * SEC + i;
		/* 10.0.0.1-10.255.255.254, then again with other ports. */
		uint32_t low = (uint32_t)(i % 0xfffffe) + 1, high = (uint32_t)(i / 0xfffffe);
		int stop;

		if (opt->ipv6)
			gen_addr6(&c.addr[0], 0x20010db8ff000000ULL, i + 1);
		else
			gen_addr4(&c.addr[0], 0x0a000000u | low);
		/* A fixed port per address, stepped on each wrap. */
		c.port[0] = (uint16_t)(1024 + (site_mix(low) + high) % 64512);
		c.ttl[0] = (uint8_t)(40 + gen_rng_below(&rng, 200));
		c.seq[0] = (uint32_t)gen_rng_next(&rng);
		c.ip_id[0] = (uint16_t)i;
		gen_tcp_seg(&sim.sink, &c, 0, t, GEN_TCP_SYN, NULL, 0);
		stop = out->horizon(out->ctx, t + 1);
		if (stop)
			return stop < 0 ? -1 : 0;
	}
	return out->horizon(out->ctx, NEVER) < 0 ? -1 : 0;
}
