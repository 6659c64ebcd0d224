#!/bin/sh
# make-devices.sh - record, with tshark, the distinct unicast source MAC
# addresses of the IP and ARP frames in the bundled captures: the devices
# edgewatch must report (one "new" device event each).  Written to
# tests/expected/NAME.macs.  Rerun after regenerating pcaps/.
# Usage: tests/expected/make-devices.sh   (from the top of the tree)
set -eu
for name in smart-home smart-home-v6; do
	tshark -r "pcaps/$name.pcap" -Y '(ip or ipv6 or arp) and not eth.src.ig == 1' \
		-T fields -e eth.src | LC_ALL=C sort -u > "tests/expected/$name.macs"
done
