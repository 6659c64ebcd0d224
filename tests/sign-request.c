/*
 * sign-request.c - builds and signs one quarantine request for the shell
 * tests (tests/test-enforcer.sh), through quarantine-sign.h as the sensor
 * does.
 *
 *   sign-request KEYFILE REQUEST_ID ACTION MAC ADDRS ALLOW ISSUED_US EXPIRES_US
 *                [FIELD=VALUE ...]
 *
 * prints the entry's fields and values on one line, each double-quoted
 * (bytes other than printable ASCII as \xHH, and \" \\ escaped), in the
 * contract's order: what redis-cli reads from its standard input after
 * "XADD STREAM * ", empty values included.  sensor_id is
 * "test-sensor", reason "test", incident_id "00000000000000ab" (none for
 * a release), cause "anomaly".  Each FIELD=VALUE after the signature
 * replaces that field's value (a tampered request); FIELD=- drops the
 * field (an unsigned request, with sig=-).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quarantine-sign.h"

static int usage(void)
{
	fprintf(stderr, "usage: sign-request KEYFILE REQUEST_ID ACTION MAC ADDRS ALLOW "
			"ISSUED_US EXPIRES_US [FIELD=VALUE ...]\n");
	return 2;
}

static void put_quoted(const char *s)
{
	putchar(' ');
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int copy(char *dst, size_t size, const char *src, const char *what)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "sign-request: %s too long\n", what);
		return -1;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct qreq r;
	struct qkey key;
	struct qreq_argv av;
	char err[256];

	if (argc < 9)
		return usage();
	if (qkey_read_file(argv[1], &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "sign-request: %s\n", err);
		return 1;
	}
	memset(&r, 0, sizeof(r));
	int a = qreq_action_from_name(argv[3], strlen(argv[3]));
	if (a < 0)
		return usage();
	r.action = (uint8_t)a;
	if (copy(r.request_id, sizeof(r.request_id), argv[2], "request id") < 0 ||
	    copy(r.mac, sizeof(r.mac), argv[4], "mac") < 0 ||
	    copy(r.addrs, sizeof(r.addrs), argv[5], "addrs") < 0 ||
	    copy(r.allow, sizeof(r.allow), argv[6], "allow") < 0)
		return 1;
	strcpy(r.sensor_id, "test-sensor");
	strcpy(r.reason, "test");
	strcpy(r.cause, "anomaly");
	if (r.action != QREQ_RELEASE)
		strcpy(r.incident_id, "00000000000000ab");
	r.issued_us = strtoull(argv[7], NULL, 10);
	r.expires_us = strtoull(argv[8], NULL, 10);
	if (qreq_sign(&r, &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "sign-request: %s\n", err);
		return 1;
	}
	qkey_wipe(&key);
	qreq_to_argv(&r, &av);
	for (int i = 0; i < 2 * QF_COUNT; i += 2) {
		const char *value = av.argv[i + 1];
		bool drop = false;
		for (int k = 9; k < argc; k++) {
			size_t n = strlen(av.argv[i]);
			if (strncmp(argv[k], av.argv[i], n) == 0 && argv[k][n] == '=') {
				value = argv[k] + n + 1;
				drop = strcmp(value, "-") == 0;
			}
		}
		if (!drop) {
			put_quoted(av.argv[i]);
			put_quoted(value);
		}
	}
	putchar('\n');
	return 0;
}
