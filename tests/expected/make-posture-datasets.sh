#!/bin/sh
# make-posture-datasets.sh - record independent expectations of the posture
# audit (src/posture.h) on the shared public captures (../shared/datasets),
# written to tests/expected/posture-datasets.tsv.
#
# Columns: capture path (relative to the datasets directory), the device's
# MAC and the finding name; a capture with no finding has one row with "-"
# and "none".  Nothing here comes from edgewatch:
#  - protocols from tshark: a TCP connection counts once the server's
#    SYN+ACK is seen (a scan's SYN is not use; posture.h: "a protocol
#    counts only when the server accepted"), a UDP exchange once there was
#    a request and a reply.  Port 23 is telnet (both ends; exposes_telnet
#    for the server), 21 ftp, 1883 mqtt_clear, UDP 161/162 snmp_v1_v2c, UDP
#    5683 coap_clear; an HTTP request (tshark's dissector) on an accepted
#    connection from a home address to one outside is http_clear for the
#    client; a home server accepting a connection from outside is
#    accepts_internet_connections.
#  - MQTT and HTTP Basic logins from tshark's dissectors: a CONNECT with a
#    password, or a request with Basic credentials, from a home client
#    over an accepted connection is cleartext_credentials, and
#    weak_credentials when the password is empty, the user name or a
#    listed default;
#  - the same protocols on other ports, and the TLS and credential risks,
#    from nDPI's own reader (ndpiReader 4.2, Debian package libndpi-bin,
#    -v 2): its application (MQTT, Telnet, FTP_CONTROL, SNMP, CoAP) of an
#    accepted connection, and its risks "Clear-Text Credentials",
#    "Obsolete TLS Version (1.1 or older)", "Weak TLS Cipher",
#    "Self-signed Certificate", "TLS Expired Certificate", for each home end
#    of the flow.  (UDP Dropbox LAN sync and the like are not looked at.)
# A device is an address inside the default home networks (10/8,
# 172.16/12, 192.168/16, 169.254/16, fe80::/10, fc00::/7), named by the MAC
# that sent packets from it (tshark eth.src).
# Usage: tests/expected/make-posture-datasets.sh DATASETS_DIR > tests/expected/posture-datasets.tsv
set -eu
ds=$1
cd "$ds"
tab=$(printf '\t')

# home ADDR: true for an address inside the default home networks.
HOME_AWK='
function home(a,    o) {
	if (a ~ /^(fe[89ab][0-9a-f]:|f[cd][0-9a-f][0-9a-f]:)/) return 1
	if (split(a, o, ".") != 4) return 0
	return o[1] == 10 || (o[1] == 172 && o[2] >= 16 && o[2] <= 31) ||
	       (o[1] == 192 && o[2] == 168) || (o[1] == 169 && o[2] == 254)
}'

# ep IP PORT: "a.b.c.d:p", or "[v6]:p" as ndpiReader prints them.
EP_AWK='
function ep(ip, port) { return (ip ~ /:/ ? "[" ip "]" : ip) ":" port }'

# Per capture: "address finding" lines, then mapped to MACs.
findings() {
	f=$1
	acc=${TMPDIR:-/tmp}/posture-acc.$$
	# TCP connections the server accepted: its SYN+ACK names server (src),
	# client (dst) and port; "client server" endpoints kept for the rest.
	tshark -r "$f" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' -T fields \
		-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport \
		-e tcp.stream 2>/dev/null |
	awk -F"$tab" "$EP_AWK"'
	{ s = $1 != "" ? $1 : $2; c = $3 != "" ? $3 : $4
	  print s, c, $5, ep(c, $6), ep(s, $5), $7 }' > "$acc"
	awk "$HOME_AWK"'
	{ s = $1; c = $2; p = $3; n = 0
	  if (p == 23) { n = 1; name = "telnet" }
	  else if (p == 21) { n = 1; name = "ftp" }
	  else if (p == 1883) { n = 1; name = "mqtt_clear" }
	  if (n) { if (home(s)) print s, name; if (home(c)) print c, name }
	  if (p == 23 && home(s)) print s, "exposes_telnet"
	  if (home(s) && !home(c)) print s, "accepts_internet_connections" }' "$acc"
	# UDP: a request to the service port and a reply from it.
	tshark -r "$f" -Y 'udp.port == 161 || udp.port == 162 || udp.port == 5683' \
		-T fields -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e udp.srcport -e udp.dstport \
		2>/dev/null |
	awk -F"$tab" "$HOME_AWK"'
	{ a = $1 != "" ? $1 : $2; b = $3 != "" ? $3 : $4
	  if ($6 == 161 || $6 == 162 || $6 == 5683) req[b " " a " " $6 " " $5] = 1
	  else rep[a " " b " " $5 " " $6] = 1 }
	END { for (k in rep) if (k in req) { split(k, x, " ")
		name = x[3] == 5683 ? "coap_clear" : "snmp_v1_v2c"
		if (home(x[1])) print x[1], name; if (home(x[2])) print x[2], name } }'
	# HTTP requests over an accepted TCP connection, from home to outside.
	tshark -r "$f" -Y 'http.request && tcp' -T fields -e ip.src -e ipv6.src -e ip.dst \
		-e ipv6.dst -e tcp.stream 2>/dev/null |
	awk -F"$tab" -v acc="$acc" "$HOME_AWK"'
	BEGIN { while ((getline l < acc) > 0) { split(l, x, " "); ok[x[6]] = 1 } }
	{ c = $1 != "" ? $1 : $2; s = $3 != "" ? $3 : $4
	  if (($5 in ok) && home(c) && !home(s)) print c, "http_clear" }'
	# MQTT logins (tshark's dissector): a CONNECT with the password flag,
	# from a home client over an accepted connection, is
	# cleartext_credentials; weak_credentials when the password is empty,
	# the user name, or one of the defaults docs/policy.md lists.
	tshark -r "$f" -Y 'mqtt.msgtype == 1 && mqtt.conflag.passwd == 1' -T fields \
		-e ip.src -e ipv6.src -e tcp.stream -e mqtt.username -e mqtt.passwd 2>/dev/null |
	awk -F"$tab" -v acc="$acc" "$HOME_AWK"'
	BEGIN { while ((getline l < acc) > 0) { split(l, x, " "); ok[x[6]] = 1 }
		n = split("admin password pass 1234 12345 123456 12345678 root mqtt guest public default test changeme user", w, " ")
		for (i = 1; i <= n; i++) weak[w[i]] = 1 }
	{ c = $1 != "" ? $1 : $2
	  if (!($3 in ok) || !home(c)) next
	  print c, "cleartext_credentials"
	  if ($5 == "" || $5 == $4 || ($5 in weak)) print c, "weak_credentials" }'
	# HTTP Basic logins (tshark's http.authbasic, "user:password"), the same way.
	tshark -r "$f" -Y 'http.authbasic' -T fields -e ip.src -e ipv6.src -e tcp.stream \
		-e http.authbasic 2>/dev/null |
	awk -F"$tab" -v acc="$acc" "$HOME_AWK"'
	BEGIN { while ((getline l < acc) > 0) { split(l, x, " "); ok[x[6]] = 1 }
		n = split("admin password pass 1234 12345 123456 12345678 root mqtt guest public default test changeme user", w, " ")
		for (i = 1; i <= n; i++) weak[w[i]] = 1 }
	{ c = $1 != "" ? $1 : $2; k = index($4, ":")
	  if (!($3 in ok) || !home(c) || k == 0) next
	  u = substr($4, 1, k - 1); p = substr($4, k + 1)
	  print c, "cleartext_credentials"
	  if (p == "" || p == u || (p in weak)) print c, "weak_credentials" }'
	# nDPI: the application of accepted connections (and of UDP flows with
	# packets both ways) and the flow risks, for each home end of the flow.
	ndpiReader -i "$f" -v 2 2>/dev/null |
	awk -v acc="$acc" "$HOME_AWK"'
	BEGIN { while ((getline l < acc) > 0) { split(l, x, " "); ok[x[4] " " x[5]] = 1 } }
	function addr(e) { sub(/:[0-9]+$/, "", e); gsub(/[][]/, "", e); return e }
	/<->/ && / pkts\// {
		a = addr($3); b = addr($5)
		answered = ($2 == "TCP") ? (($3 " " $5) in ok || ($5 " " $3) in ok) : !/<-> 0 pkts/
		app = ""
		if (match($0, /\[proto: [0-9.]+\/[A-Za-z_]+/)) {
			app = substr($0, RSTART, RLENGTH); sub(/.*\//, "", app)
		}
		name = ""
		if (app == "MQTT") name = "mqtt_clear"
		else if (app == "Telnet") name = "telnet"
		else if (app == "FTP_CONTROL") name = "ftp"
		else if (app == "SNMP") name = "snmp_v1_v2c"
		else if (app == "CoAP") name = "coap_clear"
		if (answered && name != "") { if (home(a)) print a, name; if (home(b)) print b, name }
		n = split("Clear-Text Credentials|cleartext_credentials|Obsolete TLS Version (1.1 or older)|tls_obsolete_version|Weak TLS Cipher|tls_weak_cipher|Self-signed Certificate|tls_self_signed_certificate|TLS Expired Certificate|tls_expired_certificate", m, "|")
		for (i = 1; i < n; i += 2)
			if (index($0, "** " m[i] " **")) {
				if (home(a)) print a, m[i + 1]
				if (home(b)) print b, m[i + 1]
			}
	}'
	rm -f "$acc"
}

# addr -> MAC: the MAC that sent packets from the address.
macs() {
	tshark -r "$1" -T fields -e ip.src -e ipv6.src -e eth.src 2>/dev/null |
	awk -F"$tab" '{ a = $1 != "" ? $1 : $2; if (a != "" && !(a in m)) m[a] = $3 }
		      END { for (a in m) print a, m[a] }'
}

printf '# capture\tdevice_mac\tfinding\n'
for f in attack/ndpi-attack-snippets/*.pcap* protocol-coverage/ndpi/*.pcap* \
	 benign-iot/iot-sentinel/*/Setup-A-1-STA.pcap; do
	[ -f "$f" ] || continue
	macs "$f" > "${TMPDIR:-/tmp}/posture-macs.$$"
	rows=$(findings "$f" | awk -v mapf="${TMPDIR:-/tmp}/posture-macs.$$" -v cap="$f" '
		BEGIN { while ((getline l < mapf) > 0) { split(l, x, " "); mac[x[1]] = x[2] } }
		{ m = mac[$1]; if (m == "") m = $1; print cap "\t" m "\t" $2 }' | LC_ALL=C sort -u)
	if [ -n "$rows" ]; then
		printf '%s\n' "$rows"
	else
		printf '%s\t-\tnone\n' "$f"
	fi
done
rm -f "${TMPDIR:-/tmp}/posture-macs.$$"
