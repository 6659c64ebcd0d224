/*
 * capture-file.c - offline packet source over libpcap (see capture-file.h).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capture-file.h"
#include "decode.h"

#define CAPTURE_PROGRESS_EVERY 8192 /* packets between progress callbacks */
#define CAPTURE_READ_BUFFER_BYTES (1u << 20) /* fewer read(2) calls than stdio's 4 KiB */

static volatile sig_atomic_t capture_stop;

void capture_request_stop(void)
{
	capture_stop = 1;
}

int capture_stop_requested(void)
{
	return capture_stop != 0;
}

static const char *dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

static uint64_t file_size(FILE *fp)
{
	struct stat st;

	if (fp == NULL || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

static int64_t file_pos(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	long pos = fp ? ftell(fp) : -1;
	return pos < 0 ? -1 : (int64_t)pos;
}

static enum capture_status apply_filter(pcap_t *p, const char *path, const char *bpf,
					char err[CAPTURE_ERRLEN])
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: invalid BPF filter '%s': %s", path, bpf,
			 pcap_geterr(p));
		return CAPTURE_ERR_FILTER;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: cannot apply BPF filter: %s", path,
			 pcap_geterr(p));
		pcap_freecode(&prog);
		return CAPTURE_ERR_FILTER;
	}
	pcap_freecode(&prog);
	return CAPTURE_OK;
}

static enum capture_status read_all(pcap_t *p, const char *path, capture_packet_fn on_packet,
				    capture_progress_fn on_progress, void *ctx,
				    struct capture_file_result *res, char err[CAPTURE_ERRLEN])
{
	uint64_t size = file_size(pcap_file(p));
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc = PCAP_ERROR_BREAK;

	while (!capture_stop && (rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		ew_usec_t ts = (ew_usec_t)hdr->ts.tv_sec * EW_USEC_PER_SEC + (ew_usec_t)hdr->ts.tv_usec;
		/* A negative time (pre-1970) is nonsense from a damaged header; clamp. */
		if (hdr->ts.tv_sec < 0)
			ts = 0;
		on_packet(ctx, res->dlt, ts, data, hdr->caplen, hdr->len);
		res->packets++;
		if (on_progress && res->packets % CAPTURE_PROGRESS_EVERY == 0)
			on_progress(ctx, (uint64_t)file_pos(p), size);
	}
	/* A stop request may interrupt a blocked read: that is not damage. */
	if (rc == PCAP_ERROR_BREAK || capture_stop)
		return CAPTURE_OK;
	if (rc == PCAP_ERROR) {
		int64_t pos = file_pos(p);
		if (pos >= 0)
			snprintf(err, CAPTURE_ERRLEN,
				 "%s: damaged capture at byte offset %lld after %llu packets: %s",
				 path, (long long)pos, (unsigned long long)res->packets, pcap_geterr(p));
		else
			snprintf(err, CAPTURE_ERRLEN, "%s: damaged capture after %llu packets: %s",
				 path, (unsigned long long)res->packets, pcap_geterr(p));
		return CAPTURE_TRUNCATED;
	}
	return CAPTURE_OK;
}

/*
 * Opens the file with our own stdio buffer (libpcap reads records with
 * fread); "-" is standard input.  On failure errbuf holds the reason.
 */
static pcap_t *open_file(const char *path, char *errbuf)
{
	static char buffer[CAPTURE_READ_BUFFER_BYTES];
	FILE *fp;
	pcap_t *p;

	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	/* One file is open at a time, so one static buffer serves them all. */
	setvbuf(fp, buffer, _IOFBF, sizeof(buffer));
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (p == NULL && fp != stdin)
		fclose(fp);
	return p;
}

enum capture_status capture_file_run(const char *path, const char *bpf,
				     capture_packet_fn on_packet, capture_progress_fn on_progress,
				     void *ctx, struct capture_file_result *res,
				     char err[CAPTURE_ERRLEN])
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	enum capture_status st;
	pcap_t *p;

	memset(res, 0, sizeof(*res));
	p = open_file(path, errbuf);
	if (p == NULL && capture_stop)
		return CAPTURE_OK; /* interrupted while waiting for the file header */
	if (p == NULL) {
		/* libpcap's messages already name the file for open errors. */
		if (strncmp(errbuf, path, strlen(path)) == 0)
			snprintf(err, CAPTURE_ERRLEN, "%s", errbuf);
		else
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", path, errbuf);
		return CAPTURE_ERR_OPEN;
	}
	res->dlt = pcap_datalink(p);
	if (!decode_linktype_supported(res->dlt)) {
		snprintf(err, CAPTURE_ERRLEN, "%s: unsupported link type %d (%s)", path, res->dlt,
			 dlt_name(res->dlt));
		pcap_close(p);
		return CAPTURE_ERR_LINKTYPE;
	}
	if (bpf != NULL && (st = apply_filter(p, path, bpf, err)) != CAPTURE_OK) {
		pcap_close(p);
		return st;
	}
	st = read_all(p, path, on_packet, on_progress, ctx, res, err);
	if (on_progress)
		on_progress(ctx, file_size(pcap_file(p)), file_size(pcap_file(p)));
	pcap_close(p);
	return st;
}

int capture_check_filter(const char *bpf, char err[CAPTURE_ERRLEN])
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	int rc = 0;

	if (p == NULL) {
		snprintf(err, CAPTURE_ERRLEN, "cannot check the BPF filter: out of memory");
		return -1;
	}
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, CAPTURE_ERRLEN, "invalid BPF filter '%s': %s", bpf, pcap_geterr(p));
		rc = -1;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return rc;
}

/* True when the file starts with a pcap or pcapng magic number. */
static int has_capture_magic(const char *path)
{
	static const uint8_t magics[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 }, /* pcap, µs */
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 }, /* pcap, ns */
		{ 0x0a, 0x0d, 0x0d, 0x0a },                             /* pcapng SHB */
	};
	uint8_t head[4];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(head, 1, sizeof(head), fp);
	fclose(fp);
	if (n != sizeof(head))
		return 0;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(head, magics[i], 4) == 0)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void capture_paths_free(char **paths, size_t npaths)
{
	if (paths == NULL)
		return;
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}

/* Appends a copy of s; -1 on allocation failure. */
static int paths_push(char ***paths, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **np = realloc(*paths, ncap * sizeof(*np));
		if (np == NULL)
			return -1;
		*paths = np;
		*cap = ncap;
	}
	if (((*paths)[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int expand_dir(const char *dir, DIR *d, char ***paths, size_t *npaths,
		      char err[CAPTURE_ERRLEN])
{
	size_t cap = 0;
	struct dirent *de;
	char full[4096];
	struct stat st;

	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir, de->d_name) >= sizeof(full))
			continue;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || !has_capture_magic(full))
			continue;
		if (paths_push(paths, npaths, &cap, full) != 0) {
			snprintf(err, CAPTURE_ERRLEN, "%s: out of memory", dir);
			return -1;
		}
	}
	if (*npaths == 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: directory holds no capture files", dir);
		return -1;
	}
	qsort(*paths, *npaths, sizeof(**paths), cmp_str);
	return 0;
}

int capture_expand_path(const char *arg, char ***paths, size_t *npaths,
			char err[CAPTURE_ERRLEN])
{
	struct stat st;
	size_t cap = 0;
	DIR *d;
	int rc;

	*paths = NULL;
	*npaths = 0;
	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((d = opendir(arg)) == NULL) {
			snprintf(err, CAPTURE_ERRLEN, "%s: %s", arg, strerror(errno));
			return -1;
		}
		rc = expand_dir(arg, d, paths, npaths, err);
		closedir(d);
		if (rc != 0) {
			capture_paths_free(*paths, *npaths);
			*paths = NULL;
			*npaths = 0;
		}
		return rc;
	}
	if (paths_push(paths, npaths, &cap, arg) != 0) {
		snprintf(err, CAPTURE_ERRLEN, "%s: out of memory", arg);
		capture_paths_free(*paths, *npaths);
		*paths = NULL;
		*npaths = 0;
		return -1;
	}
	return 0;
}
