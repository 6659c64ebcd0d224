#!/bin/sh
# make-ja3.sh - record tshark's JA3 fingerprint of every TLS ClientHello in
# the bundled captures, as "client_ip client_port ja3" sorted, into
# tests/expected/NAME.ja3.  tshark computes JA3 itself (tls.handshake.ja3),
# independently of nDPI.  Rerun after regenerating pcaps/.
# Usage: tests/expected/make-ja3.sh   (from the top of the tree)
set -eu
for name in smart-home smart-home-v6; do
	tshark -r "pcaps/$name.pcap" -Y 'tls.handshake.type == 1' \
		-T fields -E separator=' ' -e ip.src -e ipv6.src -e tcp.srcport -e tls.handshake.ja3 |
		awk '{ if (NF == 3) print $1, $2, $3; else print $1 " " $3 " " $4 }' |
		LC_ALL=C sort > "tests/expected/$name.ja3"
done
