/*
 * pcap-loop.c - the ceiling for offline reading: a bare libpcap loop that
 * touches every packet and does nothing else.  Built and run by
 * bench-offline.sh; not part of edgewatch.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, sum = 0;
	pcap_t *p;

	if (argc != 2 || (p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "usage: pcap-loop FILE (%s)\n", argc == 2 ? err : "");
		return 1;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		sum += h->caplen ? d[h->caplen - 1] : 0; /* read the data, keep it live */
	}
	printf("%llu packets (checksum %llu)\n", (unsigned long long)n, (unsigned long long)sum);
	pcap_close(p);
	return 0;
}
