/*
 * util-list.h - an intrusive doubly linked list: the recency and expiry
 * order of the bounded tables (flows, devices, baselines, incidents).
 *
 * A record that sits on a list embeds a struct ew_list_node; the list is
 * a head and a tail pointer.  Append, remove and move-to-tail are O(1)
 * and allocate nothing, so a table can keep its eviction order up to date
 * on every packet for a few pointer writes.  Everything is static inline:
 * each call compiles to the code the tables used to write out by hand.
 *
 * Ownership: the list owns nothing.  It never allocates or frees; the
 * records and the nodes inside them belong to whoever made them, and the
 * owner must take a record off its list before freeing it (or free the
 * whole list's records at once and never touch the list again).
 *
 * Rules the functions rely on and do not check (the callers are the
 * tables, never input from the wire):
 * - a node is on at most one list at a time;
 * - ew_list_remove and ew_list_move_to_tail are given the list the node
 *   is on; ew_list_append a node that is on no list.
 * A zeroed struct ew_list is an empty list and a zeroed node is on no
 * list, so calloc'd tables and records need no init call; a node taken
 * off a list is left with both links NULL.
 */
#ifndef EW_UTIL_LIST_H
#define EW_UTIL_LIST_H

#include <stddef.h>

struct ew_list_node {
	struct ew_list_node *prev; /* towards the head; NULL at the head */
	struct ew_list_node *next; /* towards the tail; NULL at the tail */
};

struct ew_list {
	struct ew_list_node *head; /* the oldest: first appended or moved */
	struct ew_list_node *tail; /* the newest */
};

static inline void ew_list_init(struct ew_list *l)
{
	l->head = l->tail = NULL;
}

/* Puts n (on no list) at the tail of l. */
static inline void ew_list_append(struct ew_list *l, struct ew_list_node *n)
{
	n->prev = l->tail;
	n->next = NULL;
	if (l->tail != NULL)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
}

/* Takes n off l; its links are NULL afterwards. */
static inline void ew_list_remove(struct ew_list *l, struct ew_list_node *n)
{
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

/* Moves n (on l) to the tail of l: "used just now". */
static inline void ew_list_move_to_tail(struct ew_list *l, struct ew_list_node *n)
{
	ew_list_remove(l, n);
	ew_list_append(l, n);
}

/* The head of l (the oldest), or NULL when l is empty. */
static inline struct ew_list_node *ew_list_first(const struct ew_list *l)
{
	return l->head;
}

/* The node after n towards the tail, or NULL when n is the tail. */
static inline struct ew_list_node *ew_list_next(const struct ew_list_node *n)
{
	return n->next;
}

/* Helper of EW_CONTAINER_OF: one evaluation of n, and NULL stays NULL. */
static inline void *ew_list_container_(struct ew_list_node *n, size_t offset)
{
	return n != NULL ? (void *)((char *)n - offset) : NULL;
}

/*
 * The record of type `type` whose field `member` is node n, or NULL when n
 * is NULL, so that the results of ew_list_first and ew_list_next convert
 * directly: EW_CONTAINER_OF(ew_list_first(&l), struct flow, lru).  The
 * sizeof term is never evaluated: it only makes the compiler refuse a
 * member that is not a struct ew_list_node.
 */
#define EW_CONTAINER_OF(n, type, member)                                      \
	((type *)ew_list_container_((n), offsetof(type, member) +             \
					     0 * sizeof(&((type *)NULL)->member == (n))))

#endif /* EW_UTIL_LIST_H */
