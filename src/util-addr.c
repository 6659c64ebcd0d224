/*
 * util-addr.c - text form of the pipeline's addresses (declared in packet.h).
 */
#include <arpa/inet.h>

#include "packet.h"

void ew_addr_format(const struct ew_addr *a, char *buf, size_t len)
{
	if (a->family == EW_AF_INET)
		inet_ntop(AF_INET, a->bytes + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len);
}
