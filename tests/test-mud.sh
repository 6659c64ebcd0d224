#!/bin/sh
# test-mud.sh - RFC 8520 MUD profiles (policy `mud:`) end to end on
# pcaps/smart-home.pcap: the plug profile tests/mud/kasa-plug.json allows
# TCP 443 to n-devs.tplinkcloud.com and UDP 123 to anywhere, and in, only
# flows from n-devs.tplinkcloud.com's port 443; every other flow a smart
# plug opens, or another host opens to it, is a `policy:mud:smart-plug`
# violation.  The expected violations are worked out independently with
# tshark: the flows each plug opened or was sent, and the addresses the
# capture's own DNS answers gave for n-devs.tplinkcloud.com.  Then the to-device side: with
# tests/mud/web-from-lan.json (anything out; in, only TCP 80 from the
# local networks) for every class of the home, the flows opened to each
# device that are not TCP 80 from the LAN, as tshark counts them; and a
# capture written by hand where the Internet opens a connection to a
# camera.  Then the stats event's policy and privacy counters against
# tshark's counts, and a bad MUD file: FILE:LINE:COL of the MUD file,
# exit 3.  And a device that names its profile by the MUD URL in its
# DHCP requests (option 161), with no class to choose one by.
. "${EW_SRCDIR:?}/tests/lib.sh"

CAP="$PCAPS/smart-home.pcap"
RULES="$EW_SRCDIR/rules/devices.yaml"
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed"

# The two smart plugs of pcaps/README.md's device table: the Kasa (.21)
# and the Shelly (.29); rules/devices.yaml classes both smart-plug.
KASA_IP=192.168.1.21 KASA_MAC=50:c7:bf:8e:12:34 CAM_HOST=192.168.1.20
SHELLY_IP=192.168.1.29 SHELLY_MAC=24:0a:c4:a1:b2:c3

# The addresses n-devs.tplinkcloud.com resolved to in the capture.
tshark -r "$CAP" -Y 'dns.flags.response == 1 && dns.qry.name == "n-devs.tplinkcloud.com"' \
	-T fields -e dns.a 2>/dev/null | tr ',' '\n' | sort -u | grep . > "$TMP/cloud-ips"
[ -s "$TMP/cloud-ips" ] || fail "tshark found no answer for n-devs.tplinkcloud.com"

# One line "out plug_ip proto server_ip server_port" per flow a plug
# opened, "in plug_ip proto client_ip client_port" per flow opened to one
# (flow_starts, lib.sh).
flow_starts "$CAP" | awk -v a="$KASA_IP" -v b="$SHELLY_IP" '
	$1 == a || $1 == b { print "out", $1, $3, $2, $5 }
	$2 == a || $2 == b { print "in", $2, $3, $1, $4 }' > "$TMP/plug-flows"
grep -q '^out' "$TMP/plug-flows" || fail "tshark found no flow from the plugs"

# Violations per plug: out, neither TCP 443 to a cloud address nor UDP
# 123; in, not TCP from a cloud address's port 443.
awk 'NR == FNR { cloud[$1] = 1; next }
	$1 == "out" && !(($3 == 6 && $5 == 443 && ($4 in cloud)) || ($3 == 17 && $5 == 123)) { n[$2]++ }
	$1 == "in" && !($3 == 6 && $5 == 443 && ($4 in cloud)) { n[$2]++ }
	END { print n["'$KASA_IP'"] + 0, n["'$SHELLY_IP'"] + 0 }' \
	"$TMP/cloud-ips" "$TMP/plug-flows" > "$TMP/want"
# By hand: the Kasa's two DNS flows; the Shelly's DNS, mDNS and MQTT
# flows, and the router's DHCP offer to it (in).
expect_eq "tshark: violations per plug (Kasa Shelly)" "$(cat "$TMP/want")" "2 4"
[ "$(cat "$TMP/want")" != "0 0" ] || fail "tshark expects no violation: a vacuous test"
# And the allowed ones exist, so the profile's accepts are exercised too.
awk 'NR == FNR { cloud[$1] = 1; next } $1 == "out" && $3 == 6 && $5 == 443 && ($4 in cloud) { t++ }
	$1 == "out" && $3 == 17 && $5 == 123 { u++ } END { print (t > 0) (u > 0) }' \
	"$TMP/cloud-ips" "$TMP/plug-flows" > "$TMP/allowed"
expect_eq "tshark: the Kasa's cloud TLS and an NTP flow are in the capture" \
	"$(cat "$TMP/allowed")" 11

# hits_of FILE MAC CAUSE: the hits of the device's closed incidents of CAUSE, summed.
hits_of() {
	grep '"event_type":"alert"' "$1" | grep "\"mac\":\"$2\"" | grep '"status":"closed"' |
		grep "\"cause\":\"$3\"" |
		sed 's/.*"hits":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

# The profile is named relative to the policy file.
mkdir -p "$TMP/mud"
cp "$EW_SRCDIR/tests/mud/kasa-plug.json" "$TMP/mud/"
printf 'mud:\n  smart-plug: mud/kasa-plug.json\n' > "$TMP/p.yaml"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/p.yaml" -o "$TMP/o.json"
expect_eq "mud: status" "$RC" 0
printf '%s %s\n' "$(hits_of "$TMP/o.json" $KASA_MAC policy:mud:smart-plug)" \
	"$(hits_of "$TMP/o.json" $SHELLY_MAC policy:mud:smart-plug)" > "$TMP/got"
expect_eq "mud: violations per plug (Kasa Shelly) as tshark counts them" \
	"$(cat "$TMP/got")" "$(cat "$TMP/want")"
grep '"cause":"policy:' "$TMP/o.json" | grep -v '"cause":"policy:mud:smart-plug"' | grep -q . &&
	fail "mud: an alert of another cause"
grep '"status":"opened"' "$TMP/o.json" | grep "\"mac\":\"$KASA_MAC\"" | head -n 1 |
	grep -q 'opened UDP to 192.168.1.1 port 53 in zone unzoned: outside the MUD profile .*mud/kasa-plug.json of class smart-plug: no ACE of the from-device-policy accepts it' &&
	pass "mud: the explanation names the flow, the file and what did not match" ||
	fail "mud: explanation: $(grep -m1 '"cause":"policy:mud' "$TMP/o.json")"

# The severity of an entry, and the file form {file, severity}.
printf 'mud:\n  smart-plug: {file: mud/kasa-plug.json, severity: high}\n' > "$TMP/h.yaml"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/h.yaml" -o "$TMP/h.json"
grep '"cause":"policy:mud:smart-plug"' "$TMP/h.json" | grep '"status":"opened"' |
	grep -q '"severity":"high"' && pass "mud: severity from the entry" ||
	fail "mud: no high-severity alert"

# ---- The to-device side on the home.  Every class of the home but the
# router's gets web-from-lan.json; its from-device side accepts anything.
cp "$EW_SRCDIR/tests/mud/web-from-lan.json" "$TMP/mud/"
{
	echo 'mud:'
	for c in hub camera smart-plug light-bridge speaker printer phone computer; do
		echo "  $c: mud/web-from-lan.json"
	done
} > "$TMP/w.yaml"
# The home's devices (pcaps/README.md): address and MAC.
cat > "$TMP/devices" <<'END'
192.168.1.10 dc:a6:32:1b:7e:42
192.168.1.20 44:19:b6:3a:7c:01
192.168.1.21 50:c7:bf:8e:12:34
192.168.1.22 00:17:88:6a:2b:3c
192.168.1.23 f4:f5:d8:91:5e:07
192.168.1.24 68:54:fd:3c:88:19
192.168.1.25 48:a6:b8:c0:ff:ee
192.168.1.26 3c:d9:2b:1a:2b:3c
192.168.1.27 f0:18:98:5d:a1:7c
192.168.1.28 8c:8d:28:44:19:a2
192.168.1.29 24:0a:c4:a1:b2:c3
END

# to_device_violations CAPTURE: "mac count" of the flows opened to each
# device (the destination of the flow's first packet, as above) that are
# not TCP to port 80 from 192.168.0.0/16 (the home network), sorted.
to_device_violations() {
	flow_starts "$1" | awk -v devs="$TMP/devices" '
	BEGIN { while ((getline l < devs) > 0) { split(l, d, " "); mac[d[1]] = d[2] } }
	($2 in mac) && !($3 == 6 && $5 == 80 && $1 ~ /^192\.168\./) { n[mac[$2]]++ }
	END { for (m in n) print m, n[m] }' | LC_ALL=C sort
}

# mud_hits FILE: "mac hits" of the closed policy:mud incidents, summed per device, sorted.
mud_hits() {
	grep '"event_type":"alert"' "$1" | grep '"status":"closed"' | grep '"cause":"policy:mud:' |
		sed 's/.*"mac":"\([^"]*\)".*"hits":\([0-9]*\).*/\1 \2/' |
		awk '{ n[$1] += $2 } END { for (m in n) print m, n[m] }' | LC_ALL=C sort
}

to_device_violations "$CAP" > "$TMP/want-to"
# By hand from pcaps/README.md: the Shelly's MQTT to Home Assistant (.10),
# Home Assistant's RTSP to the camera (.20), three SSDP answers and a
# DHCP offer to the phone (.27), DHCP offers to the laptop (.28) and the
# Shelly (.29); Home Assistant's five HTTP flows to the bridge are allowed.
expect_eq "tshark: flows opened to the home's devices, not web from the LAN" \
	"$(tr '\n' ' ' < "$TMP/want-to")" \
	"24:0a:c4:a1:b2:c3 1 44:19:b6:3a:7c:01 1 8c:8d:28:44:19:a2 1 dc:a6:32:1b:7e:42 1 f0:18:98:5d:a1:7c 4 "
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/w.yaml" -o "$TMP/w.json"
expect_eq "to-device: status" "$RC" 0
mud_hits "$TMP/w.json" > "$TMP/got-to"
expect_same "to-device: violations per device as tshark counts them" "$TMP/got-to" "$TMP/want-to"
grep '"status":"opened"' "$TMP/w.json" | grep '"mac":"44:19:b6:3a:7c:01"' |
	grep -q '"explanation":"hub dc:a6:32:1b:7e:42 192.168.1.10 in zone unzoned opened TCP to camera 44:19:b6:3a:7c:01 192.168.1.20 port 554 in zone unzoned: outside the MUD profile [^"]*mud/web-from-lan.json of class camera: no ACE of the to-device-policy accepts it (1 ACEs, 0 skipped as unsupported; client name unknown)"' &&
	pass "to-device: the explanation names the client, the device and the to-device-policy" ||
	fail "to-device: explanation: $(grep -m1 '"mac":"44:19:b6:3a:7c:01"' "$TMP/w.json")"

# ---- The Internet opens a connection to the camera (frames by hand, 1 s
# apart): the camera's broadcast (so that it is a device with an address),
# a SYN from 203.0.113.5 to its port 80 (violation), SYNs from Home
# Assistant to 80 (allowed, twice) and 8080 (violation), UDP to 80
# (violation), and the camera's own SYN out to 203.0.113.5 (from-device:
# accepted).  Every device is a camera by a rules file of one rule.
CAM=4419b63a7c01 RTR=9c3dcf5e2101 HA=dca6321b7e42
CAM_IP=c0a80114 HA_IP=c0a8010a NET_IP=cb007105
syn() { # SPORT DPORT (hex): a TCP SYN header
	echo "$1 $2 00000001 00000000 5002ffff 00000000"
}
pcap_from_hex "$TMP/inbound.pcap" \
	"ffffffffffff $CAM 0800 45000020 0001 0000 4011 0000 $CAM_IP c0a801ff 1388 1388 000c 0000 deadbeef" \
	"$CAM $RTR 0800 45000028 0002 0000 4006 0000 $NET_IP $CAM_IP $(syn 9c40 0050)" \
	"$CAM $HA 0800 45000028 0003 0000 4006 0000 $HA_IP $CAM_IP $(syn 9c41 0050)" \
	"$CAM $HA 0800 45000028 0004 0000 4006 0000 $HA_IP $CAM_IP $(syn 9c42 1f90)" \
	"$CAM $HA 0800 45000020 0005 0000 4011 0000 $HA_IP $CAM_IP 9c43 0050 000c 0000 deadbeef" \
	"$CAM $HA 0800 45000028 0006 0000 4006 0000 $HA_IP $CAM_IP $(syn 9c44 0050)" \
	"$RTR $CAM 0800 45000028 0007 0000 4006 0000 $CAM_IP $NET_IP $(syn 9c45 0050)"
printf 'rules:\n  - {id: all-cameras, class: camera, weight: 50, when: {mac_randomized: false}}\n' \
	> "$TMP/cameras.yaml"
printf 'mud:\n  camera: mud/web-from-lan.json\n' > "$TMP/c.yaml"
to_device_violations "$TMP/inbound.pcap" > "$TMP/want-in"
expect_eq "tshark: the hand-made flows to the camera that break it" "$(cat "$TMP/want-in")" \
	"44:19:b6:3a:7c:01 3"
run_ew -q -r "$TMP/inbound.pcap" --rules "$TMP/cameras.yaml" --policy "$TMP/c.yaml" \
	-o "$TMP/in.json"
expect_eq "inbound: status" "$RC" 0
mud_hits "$TMP/in.json" > "$TMP/got-in"
expect_same "inbound: violations as tshark counts them" "$TMP/got-in" "$TMP/want-in"
grep '"status":"opened"' "$TMP/in.json" | grep -q '"explanation":"203.0.113.5 in zone internet opened TCP to camera 44:19:b6:3a:7c:01 192.168.1.20 port 80 in zone unzoned: outside the MUD profile [^"]*of class camera: no ACE of the to-device-policy accepts it' &&
	pass "inbound: the first violation is the Internet's connection to port 80" ||
	fail "inbound: $(grep -m1 '"status":"opened"' "$TMP/in.json")"

# ---- The stats event at exit: the policy's counters by kind, and the
# privacy filter's lines.  A policy with a deny rule (the camera and the
# Kasa plug to the internet), ICMP and UDP allowed, everything else denied
# by default, the plug profile as above, and a profile for a class no
# device of the home has whose one ACE needs a controller (unsupported).
cat > "$TMP/mud/ctl.json" <<'END'
{"ietf-mud:mud": {"from-device-policy": {"access-lists": {"access-list": [{"name": "a"}]}}},
 "ietf-access-control-list:acls": {"acl": [{"name": "a", "aces": {"ace": [
  {"name": "ctl", "matches": {"ietf-mud:mud": {"controller": "urn:ietf:params:mud:dns"}},
   "actions": {"forwarding": "accept"}}]}}]}}
END
cat > "$TMP/s.yaml" <<END
zones:
  iot: {cidrs: ["$CAM_HOST", "$KASA_IP"]}
default: deny
rules:
  - {id: iot-no-internet, from: iot, to: internet, action: deny}
  - {id: icmp-ok, from: any, to: any, proto: icmp, action: allow}
  - {id: udp-ok, from: any, to: any, proto: udp, action: allow}
mud:
  smart-plug: mud/kasa-plug.json
  nas: mud/ctl.json
END
KEY="$TMP/privacy.key"
printf '%s\n' 'Zm9yIHRoZSB0ZXN0IG9ubHk6IG5vdCBhIHJlYWwga2V5IQ==' > "$KEY"
chmod 600 "$KEY"
printf 'output:\n  privacy: pseudonymised\n  privacy_key_file: "%s"\n' "$KEY" > "$TMP/priv.yaml"

# By tshark: every flow of the truth file is judged but those whose first
# packet is a TCP RST or FIN (none here); the rule denies the flows the
# camera or the Kasa opened to an address outside the home (they send no
# ICMP); the default denies the other TCP flows; the MUD counts are those
# worked out per plug above (out: the Kasa's 2 and the Shelly's 3; in:
# the router's DHCP offer to the Shelly).
nrst=$(tshark -r "$CAP" -Y 'tcp && !icmp' -T fields -e ip.src -e ip.dst -e tcp.srcport \
	-e tcp.dstport -e tcp.flags.reset -e tcp.flags.fin 2>/dev/null |
	awk '{ x = $1 " " $3; y = $2 " " $4; k = x < y ? x " " y : y " " x }
		!(k in s) { s[k] = 1; if ($5 == 1 || $6 == 1) n++ } END { print n + 0 }')
expect_eq "tshark: TCP flows that start with RST or FIN" "$nrst" 0
checked=$(( $(truth_header "$PCAPS/smart-home.truth" flows) - nrst ))
flow_starts "$CAP" | awk -v cam="$CAM_HOST" -v kasa="$KASA_IP" '
	function outside(ip,   o) {
		split(ip, o, ".")
		if (o[1] == 10 || o[1] == 127 || (o[1] == 192 && o[2] == 168) ||
		    (o[1] == 172 && o[2] >= 16 && o[2] <= 31) || (o[1] == 169 && o[2] == 254))
			return 0
		return o[1] < 224
	}
	($1 == cam || $1 == kasa) && outside($2) { rule++; next }
	$3 == 6 { dflt++ }
	END { printf "%d %d\n", rule, dflt }' > "$TMP/rule-default"
read -r want_rule want_default < "$TMP/rule-default"
awk 'NR == FNR { cloud[$1] = 1; next }
	$1 == "out" && !(($3 == 6 && $5 == 443 && ($4 in cloud)) || ($3 == 17 && $5 == 123)) { o++ }
	$1 == "in" && !($3 == 6 && $5 == 443 && ($4 in cloud)) { i++ }
	END { printf "%d %d\n", o, i }' "$TMP/cloud-ips" "$TMP/plug-flows" > "$TMP/mud-dirs"
read -r want_from want_to < "$TMP/mud-dirs"
# By hand from pcaps/smart-home.truth: the camera's and the Kasa's TLS and
# NTP flows (4); the home's 49 TCP flows but the camera's and the Kasa's
# TLS (47).
expect_eq "tshark: rule and default denials, MUD out and in" \
	"$want_rule $want_default $want_from $want_to" "4 47 5 1"
run_ew -q -c "$TMP/priv.yaml" -r "$CAP" --rules "$RULES" --policy "$TMP/s.yaml" -o "$TMP/s.json"
expect_eq "stats: status" "$RC" 0
# The last line is the stats event at exit (others come every 60 s of packet time).
stats=$(tail -n 1 "$TMP/s.json" | grep '"event_type":"stats"' | grep '"reason":"exit"')
expect_eq "stats: the policy's counters" "$(printf '%s' "$stats" | grep -o '"policy":{[^}]*}[^}]*}')" \
	"\"policy\":{\"flows_checked\":$checked,\"violations\":{\"rule\":$want_rule,\"default\":$want_default,\"mud_from_device\":$want_from,\"mud_to_device\":$want_to},\"mud_unsupported_aces\":1}"
# Every line before the stats event went through the one filter (the file).
expect_eq "stats: the privacy filter's lines" "$(printf '%s' "$stats" | grep -o '"privacy":{[^}]*}')" \
	"\"privacy\":{\"lines\":$(( $(lines "$TMP/s.json") - 1 )),\"dropped\":0}"
# Without a policy or privacy, neither object.
run_ew -q -r "$CAP" -o "$TMP/plain.json"
expect_eq "stats: no policy or privacy object when they are off" \
	"$(grep '"event_type":"stats"' "$TMP/plain.json" | grep -c '"policy":\|"privacy":')" 0

# ---- A device that names its profile (frames by hand, 1 s apart): a DHCP
# REQUEST from 44:19:b6:3a:7c:99 with option 161, the MUD URL of
# tests/mud/kasa-plug.json; then, from 192.168.1.77 behind that MAC, UDP
# to 203.0.113.5 port 53 (the profile accepts only TCP 443 to the cloud
# and UDP 123: a violation) and port 123 (accepted).  No rule classes the
# device, so only the URL can choose the profile: by hand, one violation.
MUD_URL=https://plug.example.com/kasa-plug.json
DEV=4419b63a7c99 DEV_IP=c0a8014d
url_hex=$(printf '%s' "$MUD_URL" | od -An -tx1 | tr -d ' \n')
dhcp_len=$((236 + 4 + 3 + 2 + ${#MUD_URL} + 1))
zeros() { printf '00%.0s' $(seq 1 "$1"); }
req="ffffffffffff $DEV 0800 4500 $(printf %04x $((dhcp_len + 28))) 0000 0000 4011 0000"
req="$req 00000000 ffffffff 0044 0043 $(printf %04x $((dhcp_len + 8))) 0000"
req="$req 01 01 06 00 12345678 0000 0000 $(zeros 16) $DEV $(zeros 10) $(zeros 192)"
req="$req 63825363 350103 a1 $(printf %02x ${#MUD_URL}) $url_hex ff"
pcap_from_hex "$TMP/named.pcap" "$req" \
	"$RTR $DEV 0800 45000020 0001 0000 4011 0000 $DEV_IP $NET_IP 9c40 0035 000c 0000 deadbeef" \
	"$RTR $DEV 0800 45000020 0002 0000 4011 0000 $DEV_IP $NET_IP 9c41 007b 000c 0000 deadbeef"
expect_eq "tshark: the hand-made REQUEST carries the MUD URL" \
	"$(tshark -r "$TMP/named.pcap" -Y 'frame.number == 1' -T fields -e dhcp.option.mudurl 2>/dev/null)" \
	"$MUD_URL"
printf 'rules:\n  - {id: never, class: nas, weight: 1, when: {dhcp_hostname: "no-such-host"}}\n' \
	> "$TMP/none.yaml"
run_ew -q -r "$TMP/named.pcap" --rules "$TMP/none.yaml" --policy "$TMP/p.yaml" -o "$TMP/named.json"
expect_eq "named: status" "$RC" 0
expect_eq "named: violations, by the profile its MUD URL names" "$(mud_hits "$TMP/named.json")" \
	"44:19:b6:3a:7c:99 1"
grep '"status":"opened"' "$TMP/named.json" | grep -q '"explanation":"unknown 44:19:b6:3a:7c:99 192.168.1.77 in zone unzoned opened UDP to 203.0.113.5 port 53 in zone internet: outside the MUD profile [^"]*mud/kasa-plug.json, the one its announced MUD URL names: no ACE of the from-device-policy accepts it' &&
	pass "named: the explanation says the MUD URL chose the profile" ||
	fail "named: $(grep -m1 '"status":"opened"' "$TMP/named.json")"

# ---- same-manufacturer, end to end (frames by hand, 1 s apart): three
# devices of one OUI; .77 (the ...99 above) and .78 (...98) announce MUD
# URLs on mud.acme.example, .79 (...97) none.  .77's profile (listed for
# cameras, chosen by its URL) accepts only flows to devices of its own
# maker: its SYN to .78 port 554 passes, the one to .79 does not.  By
# hand: one violation, the SYN to .79 (the REQUESTs come from 0.0.0.0,
# no device's address, and the broadcasts from devices with no profile).
dhcp_req() { # MAC URL: a DHCP REQUEST from MAC with option 161
	uh=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
	dl=$((236 + 4 + 3 + 2 + ${#2} + 1))
	printf '%s' "ffffffffffff $1 0800 4500 $(printf %04x $((dl + 28))) 0000 0000 4011 0000"
	printf '%s' " 00000000 ffffffff 0044 0043 $(printf %04x $((dl + 8))) 0000 01 01 06 00"
	printf '%s' " 12345678 0000 0000 $(zeros 16) $1 $(zeros 10) $(zeros 192) 63825363 350103"
	printf '%s' " a1 $(printf %02x ${#2}) $uh ff"
}
DEV2=4419b63a7c98 DEV2_IP=c0a8014e DEV3=4419b63a7c97 DEV3_IP=c0a8014f
cat > "$TMP/mud/acme.json" <<'END'
{"ietf-mud:mud": {"mud-url": "https://mud.acme.example/cam.json",
  "from-device-policy": {"access-lists": {"access-list": [{"name": "fr"}]}}},
 "ietf-access-control-list:acls": {"acl": [{"name": "fr", "aces": {"ace": [
  {"name": "own-maker", "matches": {"ietf-mud:mud": {"same-manufacturer": [null]}},
   "actions": {"forwarding": "accept"}}]}}]}}
END
printf 'mud:\n  camera: mud/acme.json\n' > "$TMP/acme.yaml"
pcap_from_hex "$TMP/maker.pcap" \
	"$(dhcp_req $DEV https://mud.acme.example/cam.json)" \
	"$(dhcp_req $DEV2 https://mud.acme.example/nvr.json)" \
	"ffffffffffff $DEV2 0800 45000020 0001 0000 4011 0000 $DEV2_IP c0a801ff 1388 1388 000c 0000 deadbeef" \
	"ffffffffffff $DEV3 0800 45000020 0002 0000 4011 0000 $DEV3_IP c0a801ff 1388 1388 000c 0000 deadbeef" \
	"$DEV2 $DEV 0800 45000028 0003 0000 4006 0000 $DEV_IP $DEV2_IP $(syn 9c40 022a)" \
	"$DEV3 $DEV 0800 45000028 0004 0000 4006 0000 $DEV_IP $DEV3_IP $(syn 9c41 022a)"
expect_eq "tshark: the two REQUESTs' MUD URLs" \
	"$(tshark -r "$TMP/maker.pcap" -T fields -e dhcp.option.mudurl 2>/dev/null | grep . | tr '\n' ' ')" \
	"https://mud.acme.example/cam.json https://mud.acme.example/nvr.json "
run_ew -q -r "$TMP/maker.pcap" --rules "$TMP/none.yaml" --policy "$TMP/acme.yaml" -o "$TMP/maker.json"
expect_eq "same-manufacturer: status" "$RC" 0
expect_eq "same-manufacturer: violations" "$(mud_hits "$TMP/maker.json")" "44:19:b6:3a:7c:99 1"
grep '"status":"opened"' "$TMP/maker.json" | grep -q '"explanation":"unknown 44:19:b6:3a:7c:99 192.168.1.77 in zone unzoned opened TCP to unknown 44:19:b6:3a:7c:97 192.168.1.79 port 554 in zone unzoned: outside the MUD profile [^"]*mud/acme.json, the one its announced MUD URL names' &&
	pass "same-manufacturer: the violation is the SYN to the device of no known maker" ||
	fail "same-manufacturer: $(grep -m1 '"status":"opened"' "$TMP/maker.json")"

# ---- A bad MUD file: its own FILE:LINE:COL, exit 3, at start and with -n.
cat > "$TMP/mud/bad.json" <<'EOF'
{"ietf-mud:mud": {"from-device-policy": {"access-lists": {"access-list": [{"name": "a"}]}}},
 "ietf-access-control-list:acls": {"acl": [{"name": "a", "aces": {"ace": [
  {"name": "x", "matches": {"ipv4": {"protocol": 256}}, "actions": {"forwarding": "accept"}}]}}]}}
EOF
# Line 3: 2 spaces (cols 1-2), '{' 3, '"name"' 4-9, ': ' 10-11, '"x"' 12-14, ', ' 15-16,
# '"matches"' 17-25, ': ' 26-27, '{' 28, '"ipv4"' 29-34, ': ' 35-36, '{' 37,
# '"protocol"' 38-47, ': ' 48-49: 256 starts at column 50.
printf 'mud:\n  smart-plug: mud/bad.json\n' > "$TMP/bad.yaml"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/bad.yaml" -o "$TMP/x.json"
expect_eq "bad MUD file: status" "$RC" 3
grep -q "mud/bad.json:3:50: 'protocol': 256 is not an integer 0..255" "$TMP/err" &&
	pass "bad MUD file: FILE:LINE:COL" || fail "bad MUD file message: $(cat "$TMP/err")"
printf 'policy:\n  file: %s\n' "$TMP/bad.yaml" > "$TMP/conf.yaml"
run_ew -n -c "$TMP/conf.yaml"
expect_eq "bad MUD file checked by -n" "$RC" 3

finish
