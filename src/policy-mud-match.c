/*
 * policy-mud-match.c - judges a flow against the ACEs of one side of a
 * MUD profile (policy-mud.h; policy-mud.c reads the file).
 *
 * Both directions are judged on the flow's first packet, so an ACE's
 * source is always the flow's client and its destination the server;
 * what changes with the direction is which end is the remote one (the
 * end a MUD file can name): the server for from-device ACEs, the client
 * for to-device ones.  The MUD matches manufacturer, same-manufacturer and
 * model look at the MUD URL the remote end announced, when it is a device
 * edgewatch has seen announce one (DHCP option 161, LLDP).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy-mud-private.h"

static bool is_v4(const struct ew_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->bytes, prefix, sizeof(prefix)) == 0;
}

static bool ports_match(const struct mud_ports *p, uint16_t port)
{
	bool in = port >= p->lo && port <= p->hi;

	return !p->set || in != p->neq;
}

/* Names compare without case and without a final dot; no name known matches no ACE name. */
static bool name_matches(const char *want, const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	return n > 0 && n == strlen(want) && strncasecmp(name, want, n) == 0;
}

size_t mud_url_authority(const char *url, const char **start)
{
	const char *p = url != NULL ? strstr(url, "://") : NULL;
	size_t n;

	if (p == NULL || p == url)
		return 0;
	p += 3;
	n = strcspn(p, "/?#");
	*start = p;
	return n;
}

/* The MUD matches on the remote end's own MUD URL (NULL: it announced none). */
static bool mud_url_matches(const struct mud_ace *a, const char *url)
{
	const char *auth;
	size_t n;

	if (a->model[0] != '\0' && (url == NULL || strcmp(url, a->model) != 0))
		return false;
	if (a->manufacturer[0] == '\0')
		return true;
	n = mud_url_authority(url, &auth);
	return n > 0 && n == strlen(a->manufacturer) && strncasecmp(auth, a->manufacturer, n) == 0;
}

/* Whether ACE a holds for flow v judged in direction dir (see the top of this file). */
static bool ace_matches_flow(const struct mud_ace *a, enum policy_mud_dir dir,
			     const struct ew_cidr_list *home, const struct policy_view *v)
{
	bool to = dir == POLICY_MUD_TO_DEVICE;
	const struct ew_addr *remote = to ? &v->client : &v->server;
	const char *remote_name = to ? v->client_name : v->server_name;

	/* direction-initiated: a from-device ACE may only describe replies to a to-device flow. */
	if (a->unsupported || (a->initiated >= 0 && a->initiated != (int)dir))
		return false;
	if (a->family != 0 && (a->family == 4) != is_v4(remote))
		return false;
	if (a->proto != MUD_PROTO_ANY && a->proto != v->proto)
		return false;
	if (a->has_net && !ew_cidr_contains(&a->net, remote))
		return false;
	if (a->local && (home == NULL || !ew_cidr_list_contains(home, remote)))
		return false;
	if (a->dnsname[0] != '\0' && !name_matches(a->dnsname, remote_name))
		return false;
	if (!mud_url_matches(a, to ? v->client_mud_url : v->server_mud_url))
		return false;
	if ((a->src_port.set || a->dst_port.set) &&
	    ((v->proto != EW_IPPROTO_TCP && v->proto != EW_IPPROTO_UDP) ||
	     !ports_match(&a->src_port, v->client_port) ||
	     !ports_match(&a->dst_port, v->server_port)))
		return false;
	return true;
}

bool policy_mud_judges(const struct policy_mud *m, enum policy_mud_dir dir)
{
	return m->side[dir].present;
}

bool policy_mud_allows(const struct policy_mud *m, enum policy_mud_dir dir,
		       const struct ew_cidr_list *home, const struct policy_view *v, char *why,
		       size_t whylen)
{
	const struct mud_side *sd = &m->side[dir];
	bool to = dir == POLICY_MUD_TO_DEVICE;
	const char *remote_name = to ? v->client_name : v->server_name;

	if (!sd->present)
		return true;
	for (size_t i = 0; i < sd->nace; i++) {
		const struct mud_ace *a = &sd->ace[i];

		if (!ace_matches_flow(a, dir, home, v))
			continue;
		if (a->accept)
			return true;
		snprintf(why, whylen, "ACE '%s' of %sACL '%s' drops it", a->name,
			 to ? "to-device " : "", a->acl);
		return false;
	}
	snprintf(why, whylen, "no ACE of the %s-device-policy accepts it (%zu ACEs, %u skipped as "
			      "unsupported; %s name %s)", to ? "to" : "from", sd->nace,
		 (unsigned)sd->unsupported, to ? "client" : "server",
		 remote_name != NULL && remote_name[0] != '\0' ? remote_name : "unknown");
	return false;
}

const char *policy_mud_url(const struct policy_mud *m)
{
	return m->url;
}

size_t policy_mud_ace_count(const struct policy_mud *m, enum policy_mud_dir dir)
{
	return m->side[dir].nace;
}

uint32_t policy_mud_unsupported(const struct policy_mud *m)
{
	return m->side[POLICY_MUD_FROM_DEVICE].unsupported +
	       m->side[POLICY_MUD_TO_DEVICE].unsupported;
}
