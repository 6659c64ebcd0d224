#!/bin/sh
# check-attacks.sh - a self-check of the attacks scenario: generates it with
# a fixed seed and checks with tshark, independently of the generator's own
# bookkeeping, that each labelled window holds the attack's traffic from the
# labelled MAC, and that none of the attacks' signatures appear outside the
# windows.  Prints one row per label and exits 0 when every row passes.
#
# usage: tests/gen/check-attacks.sh [PCAPGEN]
#   PCAPGEN  the generator (default: $PCAPGEN, else tests/gen/ew-pcapgen)
#   SEED     the seed (default 7); KEEP=DIR keeps the capture and labels
#   TSHARK   tshark to use (default: tshark)
#
# Not part of `make check`: it needs tshark and takes about ten seconds.
set -u

GEN=${1:-${PCAPGEN:-tests/gen/ew-pcapgen}}
SEED=${SEED:-7}
TSHARK=${TSHARK:-tshark}
ROUTER_IP=192.168.1.1 # the attacks home is the smart-home LAN
ROUTER_MAC=9c:3d:cf:5e:21:01

command -v "$TSHARK" >/dev/null 2>&1 || { echo "check-attacks: no tshark" >&2; exit 77; }
[ -x "$GEN" ] || { echo "check-attacks: no generator at $GEN" >&2; exit 2; }
if [ -n "${KEEP:-}" ]; then
	DIR=$KEEP
	mkdir -p "$DIR"
else
	DIR=$(mktemp -d) || exit 2
	trap 'rm -rf "$DIR"' EXIT
fi

"$GEN" attacks --seed "$SEED" -o "$DIR/attacks.pcap" --labels "$DIR/labels.csv" \
	--truth "$DIR/attacks.truth" 2>"$DIR/gen.err" || { cat "$DIR/gen.err" >&2; exit 1; }

# One dissection pass; every check below reads this table.  Boolean
# fields print 1/0 (tshark 4.0) or True/False (4.2+): both are handled.
"$TSHARK" -r "$DIR/attacks.pcap" -T fields -E separator=/t -E occurrence=f \
	-e frame.time_epoch -e eth.src -e eth.dst -e frame.len \
	-e arp.opcode -e arp.src.hw_mac -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 \
	-e ip.src -e ip.dst -e ip.proto -e tcp.srcport -e tcp.dstport \
	-e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e tcp.seq_raw -e tcp.len \
	-e udp.dstport -e dns.flags.response -e dns.qry.type -e dns.qry.name -e dns.resp.type \
	-e tls.handshake.extensions_server_name -e tcp.payload \
	>"$DIR/frames.tsv" 2>"$DIR/tshark.err" || { cat "$DIR/tshark.err" >&2; exit 1; }

awk -F '\t' -v router="$ROUTER_IP" -v rmac="$ROUTER_MAC" -v labels="$DIR/labels.csv" '
function yes(v) { return v == "1" || v == "True" }
function ip2n(ip,    p) { split(ip, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
function lan(ip) { return index(ip, "192.168.1.") == 1 }
function fmt(x) { return sprintf("%.1f", x) }
BEGIN {
	# device,start,end,scenario
	while ((getline line < labels) > 0) {
		if (line ~ /^device,/)
			continue
		split(line, f, ",")
		n++
		mac[n] = f[1]; t0[n] = f[2] + 0; t1[n] = f[3] + 0; name[n] = f[4]
		win[f[4]] = n
	}
	if (n == 0) { print "no labels"; exit 1 }
}
{
	t = $1 + 0
	# Which label window holds this frame (windows do not overlap).
	w = 0
	for (i = 1; i <= n; i++)
		if (t >= t0[i] && t <= t1[i]) { w = i; break }
	syn = yes($14) && !yes($15); synack = yes($14) && yes($15)
	k = name[w]; m = mac[w]
	# Signatures of the attacks, counted wherever they occur.
	sig = ""
	if (syn && ($13 == 23 || $13 == 2323) && $17 == ip2n($10)) sig = "mirai_scan"
	else if ($22 ~ /^[a-z2-7]+\.t\.exfil-example\.com$/) sig = "dns_tunnel"
	else if ($12 == 4444 || $13 == 4444) sig = "new_service"
	else if ($5 == 2 && $7 == router && $2 != "") sig = (($2 == $6) ? "arp_spoof" : "")
	if (sig == "arp_spoof" && $2 == rmac) sig = ""
	if (sig != "" && (w == 0 || k != sig)) outside[sig]++

	if (w == 0) {
		if ($24 != "") seen_sni[$24] = 1
		if ($10 != "") seen_dst[$10] = 1
		next
	}
	from = ($2 == m); to = ($3 == m)
	if (k == "mirai_scan" && from && syn && ($13 == 23 || $13 == 2323)) {
		ms++; if ($17 == ip2n($10)) mt++; if ($13 == 2323) m2323++
		if (!lan($10)) mext++
	}
	if (k == "mirai_scan" && to && $16 != "" && yes($16)) mrst++
	if (k == "telnet_bruteforce" && from && syn && $13 == 23) { tc++; tdst[$10] = 1 }
	# "Login incorrect" in hex, as tshark prints tcp.payload.
	if (k == "telnet_bruteforce" && to && index($25, "4c6f67696e20696e636f7272656374")) tl++
	if (k == "c2_beacon" && from && $20 != "" && !yes($20) && $22 != "") cq[$22]++
	if (k == "c2_beacon" && from && $24 != "") {
		cn[$24]++
		if (ct[$24] != "") { d = t - ct[$24]; if (cmin[$24] == "" || d < cmin[$24]) cmin[$24] = d
			if (cmax[$24] == "" || d > cmax[$24]) cmax[$24] = d }
		ct[$24] = t
		if (seen_sni[$24]) cseen[$24] = 1
	}
	if (k == "dns_tunnel" && from && !yes($20) && $21 == 16 && $22 ~ /^[a-z2-7]+\.t\.exfil-example\.com$/) {
		split($22, lbl, "."); if (length(lbl[1]) == 60) dq++
	}
	if (k == "dns_tunnel" && to && yes($20) && $23 == 16) da++
	if (k == "exfiltration" && from && $13 == 443) { eb[$10] += $4; if (seen_dst[$10]) eseen[$10] = 1 }
	if (k == "udp_flood" && from && $19 != "") uc[$10]++
	if (k == "arp_spoof" && from && $5 == 2 && $7 == router) {
		if ($6 == m) { ar++; at[$8] = 1 } else if ($6 != "") arest++
	}
	if (k == "lateral_scan" && from && $5 == 1 && index($8, "192.168.1.") == 1) la[$8] = 1
	if (k == "lateral_scan" && from && syn && lan($10)) { lp[$10 " " $13] = 1; lh[$10] = 1; lports[$13] = 1 }
	if (k == "lateral_scan" && to && synack) lsa++
	if (k == "lateral_scan" && to && yes($16) && $12 != "") lrst++
	if (k == "new_service" && to && syn && $13 == 4444) { ns++; nsrc[$9] = 1; if (seen_dst[$9]) nseen = 1 }
	if (k == "new_service" && from && synack && $12 == 4444) nsa++
	if (k == "new_service" && to && $13 == 4444) nin += $18
	if (k == "new_service" && from && $12 == 4444) nout += $18
}
function row(i, verdict, what) {
	printf "%-18s %-17s %8.1f %3s  %s\n", name[i], mac[i], t1[i] - t0[i], verdict, what
	if (verdict != "ok") bad++
}
function count(a,    x, c) { c = 0; for (x in a) c++; return c }
function top(a,    x, b) { b = ""; for (x in a) if (b == "" || a[x] > a[b]) b = x; return b }
END {
	printf "%-18s %-17s %8s %3s  %s\n", "scenario", "device", "seconds", "", "what tshark saw in the window"
	for (i = 1; i <= n; i++) {
		k = name[i]; dur = t1[i] - t0[i]
		if (k == "mirai_scan") {
			r = ms / dur
			row(i, ms > 0 && mt == ms && r >= 45 && r <= 210 && m2323 > 0 && m2323 < ms * 0.2 ? "ok" : "BAD",
			    (ms + 0) " SYNs to 23/2323 (" fmt(r) "/s, " (m2323 + 0) " to 2323, " (mext + 0) " external), " (mt + 0) " with seq == dst, " (mrst + 0) " RSTs back")
		} else if (k == "telnet_bruteforce") {
			r = tc / dur * 60
			row(i, r >= 10 && count(tdst) == 1 && tl >= tc ? "ok" : "BAD",
			    (tc + 0) " connections to tcp/23 of " count(tdst) " host (" fmt(r) "/min), " (tl + 0) " \"Login incorrect\"")
		} else if (k == "c2_beacon") {
			s = top(cn)
			row(i, s != "" && cn[s] >= 2 && cq[s] >= 1 && !cseen[s] && cmin[s] >= 28.5 && cmax[s] <= 31.5 ? "ok" : "BAD",
			    (cn[s] + 0) " TLS hellos to new name " s " (looked up " (cq[s] + 0) "x), every " fmt(cmin[s]) "-" fmt(cmax[s]) " s")
		} else if (k == "dns_tunnel") {
			r = dq / dur
			row(i, r >= 5 && r <= 10.5 && da == dq ? "ok" : "BAD",
			    (dq + 0) " TXT queries <60 base32>.t.exfil-example.com (" fmt(r) "/s), " (da + 0) " TXT answers")
		} else if (k == "exfiltration") {
			s = top(eb)
			row(i, eb[s] >= 50e6 && !eseen[s] ? "ok" : "BAD",
			    fmt(eb[s] / 1e6) " MB to tcp/443 of " s " (" (eseen[s] ? "seen before" : "never seen before") ")")
		} else if (k == "udp_flood") {
			s = top(uc); r = uc[s] / dur
			row(i, r >= 950 && r <= 3150 ? "ok" : "BAD", (uc[s] + 0) " UDP packets to " s " (" fmt(r) "/s)")
		} else if (k == "arp_spoof") {
			nt = count(at); per = nt ? dur / (ar / nt) : 0
			row(i, nt >= 9 && per >= 0.9 && per <= 2.3 && arest > 0 ? "ok" : "BAD",
			    (ar + 0) " replies \"" router " is-at " mac[i] "\" to " nt " hosts (one per " fmt(per) " s each), " (arest + 0) " restoring")
		} else if (k == "lateral_scan") {
			row(i, count(la) >= 250 && count(lports) == 7 && count(lp) == count(lh) * 7 && lsa > 0 && lrst > 0 ? "ok" : "BAD",
			    "ARP for " count(la) " addresses, SYNs to " count(lp) " (host, port) pairs on " count(lh) " hosts x " count(lports) " ports, " (lsa + 0) " SYN-ACK, " (lrst + 0) " RST")
		} else if (k == "new_service") {
			row(i, ns >= 3 && nsa == ns && nin > 0 && nout > 0 && count(nsrc) == 1 && !nseen ? "ok" : "BAD",
			    (ns + 0) " inbound SYNs to tcp/4444 from " count(nsrc) " new host, " (nsa + 0) " SYN-ACKs, " (nin + 0) " bytes in, " (nout + 0) " out")
		} else {
			row(i, "BAD", "unknown scenario")
		}
	}
	o = 0; for (x in outside) { o += outside[x]; printf "  outside its window: %d %s frames\n", outside[x], x }
	printf "%-18s %-17s %8s %3s  %s\n", "(benign: the rest)", "-", "-", o == 0 ? "ok" : "BAD",
	       o " attack-signature frames outside the labelled windows"
	if (o) bad++
	exit bad ? 1 : 0
}' "$DIR/frames.tsv"
