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

# The DHCP host name and parameter request list (option 55, the DHCP
# fingerprint) of each client, from its DISCOVER and REQUEST messages:
# "mac hostname prl", one line per distinct combination, in NAME.dhcp.
for name in smart-home; do
	tshark -r "pcaps/$name.pcap" -Y 'dhcp.option.dhcp == 1 || dhcp.option.dhcp == 3' \
		-T fields -E separator=' ' -e dhcp.hw.mac_addr -e dhcp.option.hostname \
		-e dhcp.option.request_list_item |
		sed 's/^\([^ ,]*\),[^ ]* /\1 /' | LC_ALL=C sort -u > "tests/expected/$name.dhcp"
done

# The SSDP SERVER header each device sent ("mac|server"), in NAME.ssdp.
for name in smart-home; do
	tshark -r "pcaps/$name.pcap" -Y 'udp.srcport == 1900 || udp.dstport == 1900' \
		-T fields -E separator='|' -e eth.src -e http.server |
		awk -F'|' '$2 != ""' | LC_ALL=C sort -u > "tests/expected/$name.ssdp"
done

# The HTTP User-Agent each device sent over TCP ("mac|agent"), in NAME.ua.
for name in smart-home; do
	tshark -r "pcaps/$name.pcap" -Y 'tcp and http.request' \
		-T fields -E separator='|' -e eth.src -e http.user_agent |
		awk -F'|' '$2 != ""' | LC_ALL=C sort -u > "tests/expected/$name.ua"
done

# IPv6 addresses each device advertised in neighbour advertisements
# ("mac address"), in NAME.ndp.
for name in smart-home-v6; do
	tshark -r "pcaps/$name.pcap" -Y 'icmpv6.type == 136' \
		-T fields -E separator=' ' -e eth.src -e icmpv6.nd.na.target_address |
		LC_ALL=C sort -u > "tests/expected/$name.ndp"
done
