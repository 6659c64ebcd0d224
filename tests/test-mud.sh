#!/bin/sh
# test-mud.sh - RFC 8520 MUD profiles (policy `mud:`) end to end on
# pcaps/smart-home.pcap: the plug profile tests/mud/kasa-plug.json allows
# TCP 443 to n-devs.tplinkcloud.com and UDP 123 to anywhere; every other
# flow a smart plug opens is a `policy:mud:smart-plug` violation.  The
# expected violations are worked out independently with tshark: the
# flows each plug opened, and the addresses the capture's own DNS answers
# gave for n-devs.tplinkcloud.com.  Then a bad MUD file: FILE:LINE:COL of
# the MUD file, exit 3.
. "${EW_SRCDIR:?}/tests/lib.sh"

CAP="$PCAPS/smart-home.pcap"
RULES="$EW_SRCDIR/rules/devices.yaml"
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed"

# The two smart plugs of pcaps/README.md's device table: the Kasa (.21)
# and the Shelly (.29); rules/devices.yaml classes both smart-plug.
KASA_IP=192.168.1.21 KASA_MAC=50:c7:bf:8e:12:34
SHELLY_IP=192.168.1.29 SHELLY_MAC=24:0a:c4:a1:b2:c3

# The addresses n-devs.tplinkcloud.com resolved to in the capture.
tshark -r "$CAP" -Y 'dns.flags.response == 1 && dns.qry.name == "n-devs.tplinkcloud.com"' \
	-T fields -e dns.a 2>/dev/null | tr ',' '\n' | sort -u | grep . > "$TMP/cloud-ips"
[ -s "$TMP/cloud-ips" ] || fail "tshark found no answer for n-devs.tplinkcloud.com"

# One line "client_ip proto server_ip server_port" per flow a plug opened:
# a flow is the two-way 5-tuple, its client the sender of its first packet.
tshark -r "$CAP" -Y 'ip && !icmp' -T fields -e ip.src -e ip.dst -e ip.proto \
	-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null |
awk -F '\t' -v a="$KASA_IP" -v b="$SHELLY_IP" '
{
	sp = $4 != "" ? $4 : ($6 != "" ? $6 : 0)
	dp = $5 != "" ? $5 : ($7 != "" ? $7 : 0)
	x = $1 " " sp; y = $2 " " dp
	k = $3 " " (x < y ? x " " y : y " " x)
	if (k in seen) next
	seen[k] = 1
	if ($1 == a || $1 == b) print $1, $3, $2, dp
}' > "$TMP/plug-flows"
[ -s "$TMP/plug-flows" ] || fail "tshark found no flow from the plugs"

# Violations per plug: neither TCP 443 to a cloud address nor UDP 123.
awk 'NR == FNR { cloud[$1] = 1; next }
	!(($2 == 6 && $4 == 443 && ($3 in cloud)) || ($2 == 17 && $4 == 123)) { n[$1]++ }
	END { print n["'$KASA_IP'"] + 0, n["'$SHELLY_IP'"] + 0 }' \
	"$TMP/cloud-ips" "$TMP/plug-flows" > "$TMP/want"
[ "$(cat "$TMP/want")" != "0 0" ] || fail "tshark expects no violation: a vacuous test"
# And the allowed ones exist, so the profile's accepts are exercised too.
awk 'NR == FNR { cloud[$1] = 1; next } $2 == 6 && $4 == 443 && ($3 in cloud) { t++ }
	$2 == 17 && $4 == 123 { u++ } END { print (t > 0) (u > 0) }' \
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
