/*
 * output-setup.c - the configured outputs behind one output thread (see
 * output-setup.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output-privacy.h"
#include "output-setup.h"
#include "output-syslog.h"
#include "quarantine-sign.h"

struct outputs {
	struct output_queue *queue;
	struct output_sink *redis; /* also one of the queue's sinks (maybe behind a privacy filter) */
	struct output_privacy_tally privacy; /* shared by the privacy filters, if any */
	bool has_privacy;                    /* the sinks are behind privacy filters */
};

void outputs_reopen(void)
{
	output_queue_set_reopen();
}

/* The Redis sink: the password from its file or the environment, never the config. */
static struct output_sink *open_redis(const struct outputs_request *req, const char *url,
				      char *err, size_t errlen)
{
	const struct ew_conf *c = req->conf;
	char password[REDIS_OUT_PASSWORD_MAX + 1] = "";
	struct redis_out_config rc = {
		.url = url,
		.user = c->redis_user,
		.password = password,
		.connect_timeout_ms = c->redis_connect_timeout_ms,
		.command_timeout_ms = c->redis_command_timeout_ms,
		.alerts_stream = c->redis_alerts_stream,
		.events_stream = c->redis_events_stream,
		.maxlen = c->redis_maxlen,
		.channel = c->redis_channel,
		.spool_dir = req->state_dir,
		.spool_cap_bytes = req->state_dir != NULL ? (uint64_t)c->redis_spool_mib << 20 : 0,
		.log = req->notice,
		.log_ctx = req->notice_ctx,
	};
	struct output_sink *s;

	if (redis_read_password(c->redis_password_file, password, sizeof(password), err, errlen) !=
	    0)
		return NULL;
	s = output_redis_open(&rc, err, errlen);
	/* The password lives in the connection now; not in this stack frame. */
	memset(password, 0, sizeof(password));
	return s;
}

/*
 * output.privacy: every sink behind its own filter (they all run on the
 * output thread), so no output sees a line the level does not allow.  The
 * key is read once, here.  On -1 the sinks, wrapped or not, are still in
 * sinks[] for the caller to close.
 */
static int wrap_privacy(struct outputs *o, const struct ew_conf *c, struct output_sink **sinks,
			size_t n, char *err, size_t errlen)
{
	struct qkey key;
	struct output_privacy_config pc = {
		.level = (enum ew_output_privacy)c->output_privacy,
		.home_networks = &c->home_networks,
		.tally = &o->privacy,
	};
	int rc = 0;

	if (c->output_privacy == EW_PRIVACY_FULL)
		return 0;
	if (c->output_privacy_key_file == NULL) {
		snprintf(err, errlen, "output.privacy %s needs output.privacy_key_file",
			 c->output_privacy == EW_PRIVACY_MINIMAL ? "minimal" : "pseudonymised");
		return -1;
	}
	if (qkey_read_file(c->output_privacy_key_file, &key, err, errlen) != 0)
		return -1;
	pc.key = key.bytes;
	pc.key_len = key.len;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct output_sink *w = output_privacy_wrap(sinks[i], &pc, err, errlen);

		if (w == NULL)
			rc = -1;
		else
			sinks[i] = w;
	}
	qkey_wipe(&key); /* each filter holds its own copy */
	o->has_privacy = rc == 0;
	return rc;
}

struct outputs *outputs_open(const struct outputs_request *req, char *err, size_t errlen)
{
	const struct ew_conf *c = req->conf;
	struct output_sink *sinks[OUTPUT_QUEUE_MAX_SINKS];
	struct output_queue_config qc = {
		.max_events = c->output_queue_events,
		.max_bytes = (uint64_t)c->output_queue_mib << 20,
		.wait_when_full = !req->live,
	};
	const char *url = req->redis_url != NULL && req->redis_url[0] != '\0' ? req->redis_url
									       : c->redis_url;
	struct outputs *o = calloc(1, sizeof(*o));
	size_t n = 0;

	if (o == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sinks[n] = output_file_open(req->file, err, errlen);
	if (sinks[n] == NULL)
		goto fail;
	n++;
	if (c->syslog_enabled) {
		struct output_syslog_config sc = {
			.target = c->syslog_target,
			.facility = c->syslog_facility,
			.app_name = c->syslog_app_name,
		};

		if ((sinks[n] = output_syslog_open(&sc, err, errlen)) == NULL)
			goto fail;
		n++;
	}
	if (url != NULL && url[0] != '\0') {
		if ((sinks[n] = open_redis(req, url, err, errlen)) == NULL)
			goto fail;
		o->redis = sinks[n++];
	}
	if (wrap_privacy(o, c, sinks, n, err, errlen) != 0)
		goto fail;
	o->queue = output_queue_create(&qc, sinks, n, err, errlen);
	if (o->queue == NULL)
		goto fail;
	return o;
fail:
	/* The queue takes the sinks only when it is made: until then they are ours. */
	for (size_t i = 0; i < n; i++) {
		char ignored[8];

		sinks[i]->ops->close(sinks[i], ignored, sizeof(ignored));
	}
	free(o);
	return NULL;
}

struct output_sink *outputs_sink(struct outputs *o)
{
	return output_queue_sink(o->queue);
}

struct output_sink *outputs_redis(struct outputs *o)
{
	return o->redis;
}

void outputs_stats(struct outputs *o, struct output_queue_stats *q, struct redis_out_stats *r,
		   bool *has_redis)
{
	output_queue_stats(o->queue, q);
	*has_redis = o->redis != NULL;
	if (o->redis != NULL)
		output_redis_stats(o->redis, r);
	else
		memset(r, 0, sizeof(*r));
}

bool outputs_privacy_stats(struct outputs *o, uint64_t *lines, uint64_t *dropped)
{
	*lines = atomic_load(&o->privacy.lines);
	*dropped = atomic_load(&o->privacy.dropped);
	return o->has_privacy;
}

int outputs_close(struct outputs *o, struct outputs_summary *sum)
{
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (o == NULL)
		return 0;
	if (o->redis != NULL) {
		/* Read before the queue closes (and frees) the sink; final after the drain. */
		sum->redis = true;
	}
	rc = output_queue_close(o->queue, &sum->queue, sum->error, sizeof(sum->error));
	sum->privacy_lines = atomic_load(&o->privacy.lines);
	sum->privacy_dropped = atomic_load(&o->privacy.dropped);
	free(o);
	return rc;
}
