/*
 * device-rules-set.c - the memory of a compiled rule set.
 *
 * Every string and small array of a set comes from a chunked arena that
 * is freed at once, so a load that fails half-way leaks nothing and
 * device_rules_free() needs no knowledge of the rules' shape.  Only the
 * two arrays that grow while loading - the rules and the interned vendor
 * and model names - are separate allocations, doubled up to their caps.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "device-rules-private.h"

/* Arena chunk; a larger request gets a chunk of its own. */
#define RULES_CHUNK_BYTES 65536

/*
 * No caller asks for more than a condition's pattern array or a rule's
 * conditions (well under 1 KiB); a larger request is a bug, refused.
 */
#define RULES_ALLOC_MAX (1u << 20)

/* Two names (vendor, model) per rule at most, and index 0 for "none". */
#define RULES_LABELS_MAX (2 * DEVICE_RULES_MAX + 1)

struct rules_chunk {
	struct rules_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct device_rules *rules_set_new(void)
{
	return calloc(1, sizeof(struct device_rules));
}

/* n bytes from the arena at a multiple of align (a power of two). */
static void *arena_alloc(struct device_rules *r, size_t n, size_t align)
{
	struct rules_chunk *c = r->chunks;
	size_t at;
	void *p;

	if (n > RULES_ALLOC_MAX)
		return NULL;
	at = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c == NULL || at > c->cap || c->cap - at < n) {
		size_t cap = n > RULES_CHUNK_BYTES ? n : RULES_CHUNK_BYTES;

		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->next = r->chunks;
		c->used = 0;
		c->cap = cap;
		r->chunks = c;
		at = 0;
	}
	p = (char *)c->data + at;
	c->used = at + n;
	return p;
}

void *rules_alloc(struct device_rules *r, size_t n)
{
	return arena_alloc(r, n, alignof(max_align_t));
}

/* Strings need no alignment: packed, the patterns take little more than the file. */
char *rules_strndup(struct device_rules *r, const char *s, size_t n)
{
	char *p = arena_alloc(r, n + 1, 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int rules_intern_label(struct device_rules *r, const char *s, size_t n, uint16_t *idx)
{
	for (size_t i = 1; i < r->nlabels; i++) {
		if (strlen(r->label[i]) == n && memcmp(r->label[i], s, n) == 0) {
			*idx = (uint16_t)i;
			return 0;
		}
	}
	if (r->nlabels >= RULES_LABELS_MAX)
		return -1; /* cannot happen while rules are capped; keeps the index in 16 bits */
	if (r->nlabels == r->label_cap) {
		size_t cap = r->label_cap ? r->label_cap * 2 : 64;
		const char **grown = realloc(r->label, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		r->label = grown;
		r->label_cap = cap;
		if (r->nlabels == 0)
			r->label[r->nlabels++] = NULL; /* index 0: no name */
	}
	if ((r->label[r->nlabels] = rules_strndup(r, s, n)) == NULL)
		return -1;
	*idx = (uint16_t)r->nlabels++;
	return 0;
}

int rules_append(struct device_rules *r, const struct device_rule *rule)
{
	if (r->n >= DEVICE_RULES_MAX)
		return -1;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct device_rule *grown;

		if (cap > DEVICE_RULES_MAX)
			cap = DEVICE_RULES_MAX;
		grown = realloc(r->rule, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		r->rule = grown;
		r->cap = cap;
	}
	r->rule[r->n++] = *rule;
	return 0;
}

void device_rules_free(struct device_rules *r)
{
	if (r == NULL)
		return;
	while (r->chunks != NULL) {
		struct rules_chunk *next = r->chunks->next;

		free(r->chunks);
		r->chunks = next;
	}
	free(r->rule);
	free(r->label);
	free(r);
}

size_t device_rules_count(const struct device_rules *r)
{
	return r != NULL ? r->n : 0;
}
