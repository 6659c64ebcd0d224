#!/bin/sh
# test-policy.sh - the segmentation policy end to end on
# pcaps/smart-home.pcap: the policy alerts against violations worked out
# independently with tshark, file:line errors at start, and the
# --export-policy round trip (export, load the export, no violation).
. "${EW_SRCDIR:?}/tests/lib.sh"

CAP="$PCAPS/smart-home.pcap"
RULES="$EW_SRCDIR/rules/devices.yaml"
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed"

# The camera (.20) and the Kasa plug (.21), pcaps/README.md's device table.
CAM_IP=192.168.1.20 CAM_MAC=44:19:b6:3a:7c:01
PLUG_IP=192.168.1.21 PLUG_MAC=50:c7:bf:8e:12:34

# flows_from_iot: one line "client_ip proto server_ip server_port" per
# flow that the camera or the plug opened (flow_starts, lib.sh).  The two
# send no ICMP in this capture.  The zone of the server is left to the
# callers.
flows_from_iot() {
	flow_starts "$CAP" |
		awk -v cam="$CAM_IP" -v plug="$PLUG_IP" '$1 == cam || $1 == plug { print $1, $3, $2, $5 }'
}

# outside ADDR: not in the default home networks, not multicast or broadcast.
OUTSIDE='function outside(ip,   o) {
	split(ip, o, ".")
	if (o[1] == 10 || o[1] == 127 || (o[1] == 192 && o[2] == 168) ||
	    (o[1] == 172 && o[2] >= 16 && o[2] <= 31) || (o[1] == 169 && o[2] == 254))
		return 0
	if (o[1] >= 224) return 0
	return 1
}'

# hits_of FILE MAC CAUSE: the hits of the device's closed incidents of CAUSE, summed.
hits_of() {
	grep '"event_type":"alert"' "$1" | grep "\"mac\":\"$2\"" | grep '"status":"closed"' |
		grep "\"cause\":\"$3\"" |
		sed 's/.*"hits":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

# alerts_of FILE CAUSE_PREFIX: opened or escalated alerts of that cause.
alerts_of() {
	grep '"event_type":"alert"' "$1" | grep "\"cause\":\"$2" | grep -c -v '"status":"closed"'
}

flows_from_iot > "$TMP/iot-flows"
[ -s "$TMP/iot-flows" ] || fail "tshark found no flow from the camera or the plug"

# ---- Policy A: nothing in iot may reach the internet except on TCP 443.
cat > "$TMP/a.yaml" <<EOF
zones:
  iot: {cidrs: ["$CAM_IP", "$PLUG_IP"]}
rules:
  - {id: iot-https, from: iot, to: internet, proto: tcp, ports: [443], action: allow}
  - {id: iot-no-internet, from: iot, to: internet, action: deny, severity: high}
EOF
awk "$OUTSIDE"' outside($3) && !($2 == 6 && $4 == 443) { n[$1]++ }
	END { print n["'$CAM_IP'"] + 0, n["'$PLUG_IP'"] + 0 }' "$TMP/iot-flows" > "$TMP/a-want"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/a.yaml" -o "$TMP/a.json"
expect_eq "policy A: status" "$RC" 0
printf '%s %s\n' "$(hits_of "$TMP/a.json" $CAM_MAC policy:iot-no-internet)" \
	"$(hits_of "$TMP/a.json" $PLUG_MAC policy:iot-no-internet)" > "$TMP/a-got"
expect_eq "policy A: violations per device (camera plug) as tshark counts them" \
	"$(cat "$TMP/a-got")" "$(cat "$TMP/a-want")"
[ "$(cat "$TMP/a-want")" != "0 0" ] || fail "policy A: tshark expects no violation: a vacuous test"
# Each device with violations has one incident (repeats fold), and nothing else is policy.
want_open=$(awk '{ print ($1 > 0) + ($2 > 0) }' "$TMP/a-want")
expect_eq "policy A: incidents opened" "$(alerts_of "$TMP/a.json" policy:)" "$want_open"
grep '"cause":"policy:' "$TMP/a.json" | grep -v '"cause":"policy:iot-no-internet"' |
	grep -q . && fail "policy A: an alert of another policy rule"
grep '"status":"opened"' "$TMP/a.json" | grep '"cause":"policy:iot-no-internet"' | head -n 1 |
	grep -q 'in zone iot opened UDP to .* port 123 in zone internet: rule .iot-no-internet. (line 5) denies it' &&
	pass "policy A: the explanation names zones, flow and rule" ||
	fail "policy A: explanation: $(grep -m1 '"cause":"policy:' "$TMP/a.json")"

# ---- Policy B: iot may reach nothing but the internet on TCP 443 (LAN flows too).
cat > "$TMP/b.yaml" <<EOF
default: allow
zones:
  iot: {cidrs: ["$CAM_IP/32", "$PLUG_IP/32"]}
rules:
  - {id: iot-https, from: iot, to: internet, proto: tcp, ports: [443], action: allow}
  - {id: iot-nothing-else, from: iot, to: any, action: deny}
EOF
awk "$OUTSIDE"' !(outside($3) && $2 == 6 && $4 == 443) { n[$1]++ }
	END { print n["'$CAM_IP'"] + 0, n["'$PLUG_IP'"] + 0 }' "$TMP/iot-flows" > "$TMP/b-want"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/b.yaml" -o "$TMP/b.json"
printf '%s %s\n' "$(hits_of "$TMP/b.json" $CAM_MAC policy:iot-nothing-else)" \
	"$(hits_of "$TMP/b.json" $PLUG_MAC policy:iot-nothing-else)" > "$TMP/b-got"
expect_eq "policy B: violations per device (camera plug) as tshark counts them" \
	"$(cat "$TMP/b-got")" "$(cat "$TMP/b-want")"

# ---- Errors: FILE:LINE:COL, exit 3, at start and with -n.
printf 'zones:\n  iot: {cidrs: [192.168.1.300]}\n' > "$TMP/bad.yaml"
run_ew -q -r "$CAP" --policy "$TMP/bad.yaml" -o "$TMP/x.json"
expect_eq "bad policy: status" "$RC" 3
grep -q "bad.yaml:2:17: cidrs: '192.168.1.300' is not an address block" "$TMP/err" &&
	pass "bad policy: FILE:LINE:COL" || fail "bad policy message: $(cat "$TMP/err")"
printf 'policy:\n  file: %s\n' "$TMP/bad.yaml" > "$TMP/conf.yaml"
run_ew -n -c "$TMP/conf.yaml"
expect_eq "policy.file checked by -n" "$RC" 3

# ---- Export round trip: learn (no policy), export, reload: no violation.
run_ew -q -r "$CAP" --rules "$RULES" --export-policy "$TMP/learned.yaml" -o "$TMP/l.json"
expect_eq "export: status" "$RC" 0
grep -q '^default: deny$' "$TMP/learned.yaml" && pass "export: default deny" ||
	fail "export: no 'default: deny'"
grep -q 'class: \["camera"\]' "$TMP/learned.yaml" && pass "export: per device class" ||
	fail "export: no camera rule"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/learned.yaml" -o "$TMP/r.json"
expect_eq "export reloaded: status" "$RC" 0
expect_eq "export reloaded: policy alerts" "$(alerts_of "$TMP/r.json" policy:)" 0
# The same under policy A's zones: the export keeps the zones in force.
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/a.yaml" --export-policy "$TMP/la.yaml" \
	-o "$TMP/x.json"
grep -q '^  "iot":$' "$TMP/la.yaml" && pass "export: zones of the policy in force" ||
	fail "export: iot zone missing"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/la.yaml" -o "$TMP/r2.json"
expect_eq "export under A reloaded: policy alerts" "$(alerts_of "$TMP/r2.json" policy:)" 0
# And it is not vacuous: without its first rule, that rule's flows are denied again.
awk 'BEGIN { skip = 0 } /^  - id: learned-1$/ { skip = 1; next } skip && /^  - / { skip = 0 }
	!skip' "$TMP/la.yaml" > "$TMP/la-cut.yaml"
run_ew -q -r "$CAP" --rules "$RULES" --policy "$TMP/la-cut.yaml" -o "$TMP/r3.json"
[ "$(alerts_of "$TMP/r3.json" policy:default)" -gt 0 ] &&
	pass "export without a learned rule: default deny fires" ||
	fail "export without a learned rule: no alert"

finish
