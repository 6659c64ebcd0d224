#!/bin/sh
# make-policy-datasets.sh - record independent expectations of the
# segmentation policy (src/policy.h) on shared public captures
# (../shared/datasets), written to tests/expected/policy-datasets.tsv,
# which tests/test-policy-datasets.sh compares with edgewatch's alerts.
#
# The four policies are those of tests/test-policy-datasets.sh; zone
# `lan` is the default network.home_networks (10/8, 172.16/12,
# 192.168/16, 169.254/16, fe80::/10, fc00::/7), `internet` any other
# address but multicast (224/4, ff00::/8) and 255.255.255.255:
#   no-telnet          any TCP connection to port 23 or 2323;
#   no-inbound         a flow from the internet to the lan;
#   iot-egress         a flow from the lan to the internet other than
#                      UDP 53, 123 and TCP 53, 443;
#   camera-https-only  a flow from a camera (a MAC whose IEEE
#                      organisation is "D-Link International" in
#                      /usr/share/ieee-data/oui.csv: the test's own rules
#                      file classes those so) to the internet other than
#                      TCP 443.
# Nothing here comes from edgewatch.  Flows from tshark: a TCP
# connection is a distinct two-way 5-tuple of packets with SYN set
# (retransmissions are one), its client the sender of the first SYN, or
# the receiver of the first SYN+ACK when that comes first (the SYN it
# answers was not captured: in a reflection attack, the spoofed one); a
# UDP flow is a distinct two-way 5-tuple, its client the sender of its
# first packet.  ICMP and other protocols are left
# out (the policies name TCP and UDP ports only).  A violation belongs to
# the client's device when the client is in the lan, else to the
# server's; a device is named by the MAC of the frame (eth.src of the
# client, eth.dst of the server), or by its address without Ethernet.
#
# Columns: capture path (relative to the datasets directory), rule,
# device, count of violating flows; a capture and rule with no violation
# has one row with device "-" and count 0.
# Usage: tests/expected/make-policy-datasets.sh DATASETS_DIR > tests/expected/policy-datasets.tsv
set -eu
ds=$1
cd "$ds"
OUI=/usr/share/ieee-data/oui.csv

# The captures: small enough for the whole test to run in well under a
# minute, and between them every rule both broken and kept.
CAPTURES="protocol-coverage/ndpi/telnet.pcap
protocol-coverage/ndpi/modbus.pcap
protocol-coverage/ndpi/tls_unidirectional.pcap
attack/ndpi-attack-snippets/tcp_scan.pcapng
attack/ndpi-attack-snippets/synscan.pcap
attack/ndpi-attack-snippets/log4j-webapp-exploit.pcap
attack/ndpi-attack-snippets/malware.pcap
attack/stopddos-packet-captures/amp.UDP.isakmp.pcap
attack/stopddos-packet-captures/amp.TCP.syn.optionallyACK.optionallysamePort.pcapng
attack/stopddos-packet-captures/pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng
benign-iot/iot-sentinel/D-LinkCam/Setup-A-1-STA.pcap
benign-iot/iot-sentinel/D-LinkSiren/Setup-A-1-STA.pcap
benign-iot/iot-sentinel/EdimaxCam1/Setup-A-1-STA.pcap
benign-iot/iot-sentinel/EdnetGateway/Setup-A-1-STA.pcap
benign-iot/iot-sentinel/TP-LinkPlugHS110/Setup-A-1-STA.pcap"
RULES="no-telnet no-inbound iot-egress camera-https-only"

# The OUIs (six upper-case hex digits) of "D-Link International".
dlink=$(awk -F, '$1 == "MA-L" && $3 == "D-Link International" { print $2 }' "$OUI" |
	tr '\n' ' ')

# violations FILE: "rule device" per violating flow.
violations() {
	tshark -r "$1" -Y '(tcp.flags.syn == 1 || udp) && !icmp && !icmpv6' \
		-T fields -e eth.src -e eth.dst -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e tcp.flags.ack \
		2>/dev/null |
	awk -F '\t' -v dlink="$dlink" '
	function lan(a,    o) {
		if (a ~ /^(fe[89ab][0-9a-f]:|f[cd][0-9a-f][0-9a-f]:)/) return 1
		if (split(a, o, ".") != 4) return 0
		return o[1] == 10 || (o[1] == 172 && o[2] >= 16 && o[2] <= 31) ||
		       (o[1] == 192 && o[2] == 168) || (o[1] == 169 && o[2] == 254)
	}
	function internet(a,    o) {
		if (lan(a) || a ~ /^ff/ || a == "255.255.255.255") return 0
		if (split(a, o, ".") == 4 && o[1] >= 224 && o[1] <= 239) return 0
		return 1
	}
	BEGIN { n = split(dlink, d, " "); for (i = 1; i <= n; i++) camera_oui[d[i]] = 1 }
	{
		c = $3 != "" ? $3 : $4; s = $5 != "" ? $5 : $6
		tcp = $7 != ""
		cp = tcp ? $7 : $9; sp = tcp ? $8 : $10
		cmac = $1; smac = $2
		x = c " " cp; y = s " " sp
		k = (tcp ? "T " : "U ") (x < y ? x " " y : y " " x)
		if (k in seen) next
		seen[k] = 1
		if (tcp && $11 == 1) { # a SYN+ACK first: its receiver is the client
			t = c; c = s; s = t; t = cp; cp = sp; sp = t; t = cmac; cmac = smac; smac = t
		}
		dev = lan(c) ? (cmac != "" ? cmac : c) : (smac != "" ? smac : s)
		oui = toupper(cmac); gsub(/:/, "", oui); oui = substr(oui, 1, 6)
		if (tcp && (sp == 23 || sp == 2323)) print "no-telnet", dev
		if (internet(c) && lan(s)) print "no-inbound", dev
		if (lan(c) && internet(s)) {
			if (!(tcp ? (sp == 53 || sp == 443) : (sp == 53 || sp == 123)))
				print "iot-egress", dev
			if ((oui in camera_oui) && !(tcp && sp == 443))
				print "camera-https-only", dev
		}
	}'
}

printf '# capture\trule\tdevice\tflows\n'
for f in $CAPTURES; do
	[ -f "$f" ] || { echo "make-policy-datasets.sh: $f: not found" >&2; exit 1; }
	violations "$f" | LC_ALL=C sort | uniq -c > "${TMPDIR:-/tmp}/policy-ds.$$"
	for r in $RULES; do
		awk -v cap="$f" -v r="$r" '$2 == r { print cap "\t" r "\t" $3 "\t" $1; n++ }
			END { if (n == 0) print cap "\t" r "\t-\t0" }' "${TMPDIR:-/tmp}/policy-ds.$$"
	done
done
rm -f "${TMPDIR:-/tmp}/policy-ds.$$"
