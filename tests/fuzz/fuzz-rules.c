/*
 * fuzz-rules.c - libFuzzer target for the device rule loader and matcher.
 *
 * Feeds arbitrary bytes to device_rules_load_buffer().  Besides what the
 * sanitizers catch, it checks the loader's promises: a failure returns no
 * set and a one-line "fuzz:..." message; a success leaves an empty
 * message and at most DEVICE_RULES_MAX rules.  Every set that loads then
 * classifies a few fixed devices with varied and hostile signal values
 * (long, odd bytes, glob metacharacters), so that fuzzed patterns meet
 * the glob and suffix matchers, and the answer must keep its promises:
 * a known class or "unknown", confidence 0..100 and 0 only for
 * "unknown", the winner ahead of the runner-up, evidence within its cap.
 * Seed it with rules/devices.yaml.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device-rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

#define NDEVICES 3

static struct device devices[NDEVICES];
static char values[NDEVICES][SIG_KIND_MAX][DEVICE_SIGNAL_SLOTS][DEVICE_SIGNAL_VALUE_MAX + 1];

static void set_value(int dev, enum device_signal_kind k, const char *v)
{
	struct device_signal_set *set = &devices[dev].sig[k];
	char *dst = values[dev][k][set->n];

	strncpy(dst, v, DEVICE_SIGNAL_VALUE_MAX);
	dst[DEVICE_SIGNAL_VALUE_MAX] = '\0';
	set->slot[set->n].value = dst;
	set->n++;
}

/* A device with a value of every kind, one like the capture's camera, one of junk. */
static void init_devices(void)
{
	static bool done;
	static char junk[DEVICE_SIGNAL_VALUE_MAX + 1]; /* also the third device's vendor */
	char as[DEVICE_SIGNAL_VALUE_MAX + 1];

	if (done)
		return;
	done = true;
	for (int k = 0; k < SIG_KIND_MAX; k++) {
		set_value(0, (enum device_signal_kind)k, "a");
		set_value(0, (enum device_signal_kind)k, "DS-2CD2043G2-I");
		set_value(0, (enum device_signal_kind)k, "dev.hik-connect.com.");
		set_value(0, (enum device_signal_kind)k, "tcp/554");
		set_value(0, (enum device_signal_kind)k, "1,3,6,12,15,28,42");
		set_value(0, (enum device_signal_kind)k, "871a754af286dfb70c1b53c6887c62e0");
		set_value(0, (enum device_signal_kind)k, "");
	}
	devices[0].vendor = "Hangzhou Hikvision Digital Technology Co.,Ltd.";
	devices[0].local_admin = true;
	devices[0].routed_pkts = 1;

	devices[1].vendor = "Raspberry Pi Trading Ltd";
	set_value(1, SIG_TLS_SNI, "version.home-assistant.io");
	set_value(1, SIG_SERVICE_PORT, "tcp/1883");
	set_value(1, SIG_APP_PROTO, "rtsp");

	/* 255 bytes of "*a?[]\\" and high bytes: worst cases for the matchers. */
	for (int i = 0; i < DEVICE_SIGNAL_VALUE_MAX; i++)
		junk[i] = "aaaaaaa*?[]\\.\xff\x80-"[i % 16];
	junk[DEVICE_SIGNAL_VALUE_MAX] = '\0';
	for (int k = 0; k < SIG_KIND_MAX; k++)
		set_value(2, (enum device_signal_kind)k, junk);
	devices[2].vendor = junk;
	memset(as, 'a', DEVICE_SIGNAL_VALUE_MAX); /* and 255 'a's */
	as[DEVICE_SIGNAL_VALUE_MAX] = '\0';
	for (int k = 0; k < SIG_KIND_MAX; k++)
		set_value(2, (enum device_signal_kind)k, as);
}

static void check_class(const struct device_class *c)
{
	bool unknown = strcmp(c->class_name, "unknown") == 0;

	check(c->confidence <= 100);
	check(unknown == (c->confidence == 0));
	check(unknown == (c->score == 0));
	check(c->score >= c->runner_up);
	check(c->nevidence <= DEVICE_EVIDENCE_MAX);
	check(unknown || c->nevidence > 0);
	check(c->evidence_dropped == 0 || c->nevidence == DEVICE_EVIDENCE_MAX);
	for (size_t i = 0; i < c->nevidence; i++) {
		const struct device_evidence *e = &c->evidence[i];

		/* Rules' evidence names the pattern; the built-in router evidence has none. */
		check(e->rule_id != NULL && e->what != NULL);
		check(e->pattern != NULL || strcmp(e->rule_id, "builtin-router") == 0);
		check(memchr(e->value, '\0', sizeof(e->value)) != NULL);
		check(e->weight >= 1 && e->weight <= 100);
		check(i == 0 || e->weight <= c->evidence[i - 1].weight);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[DEVICE_RULES_ERRLEN];
	struct device_rules *r;

	init_devices();
	memset(err, 'x', sizeof(err));
	r = device_rules_load_buffer("fuzz", (const char *)data, size, err, sizeof(err));
	if (r == NULL) {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		check(strncmp(err, "fuzz:", 5) == 0);
		check(strchr(err, '\n') == NULL);
		return 0;
	}
	check(err[0] == '\0');
	check(device_rules_count(r) <= DEVICE_RULES_MAX);
	for (int i = 0; i < NDEVICES; i++) {
		struct device_class c;

		device_rules_classify(r, &devices[i], &c);
		check_class(&c);
	}
	device_rules_free(r);
	return 0;
}
