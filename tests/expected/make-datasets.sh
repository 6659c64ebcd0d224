#!/bin/sh
# make-datasets.sh - record independent expectations for the shared public
# captures (../shared/datasets), written to tests/expected/datasets.tsv.
#
# Columns: capture path (relative to the datasets directory), frame count
# as tshark reads it, and the per-protocol flow counts reported by the nDPI
# project's own reader (ndpiReader 4.2, Debian package libndpi-bin) as
# "Name:flows,Name:flows" in its order.  Neither comes from edgewatch.
# Usage: tests/expected/make-datasets.sh DATASETS_DIR > tests/expected/datasets.tsv
set -eu
ds=$1
cd "$ds"
printf '# capture\tpackets\tndpi_protocols\n'
for f in protocol-coverage/ndpi/*.pcap* attack/ndpi-attack-snippets/*.pcap* \
	 benign-iot/iot-sentinel/*/Setup-A-1-STA.pcap; do
	[ -f "$f" ] || continue
	n=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
	protos=$(ndpiReader -i "$f" -v 1 2>/dev/null |
		awk '/^Detected protocols:/ { on = 1; next }
		     on && /^[^\t]/ { on = 0 }
		     on && /flows:/ { printf "%s%s:%s", sep, $1, $NF; sep = "," }')
	printf '%s\t%s\t%s\n' "$f" "$n" "$protos"
done
