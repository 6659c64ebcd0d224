#!/bin/sh
# test-policy-datasets.sh - the segmentation policy on real captures from
# ../shared/datasets (skipped when they are absent).  Four policies, each
# run alone over the captures of tests/expected/policy-datasets.tsv:
# no telnet anywhere (no-telnet), the internet may open nothing to the
# home networks (no-inbound), the home networks may reach the internet
# only on UDP 53/123 and TCP 53/443 (iot-egress), and cameras - here the
# D-Link devices, by a rules file of one vendor rule - only on TCP 443
# (camera-https-only).  The violating flows per device and rule, summed
# over the closed incidents, must be those the table gives; the table is
# made from tshark by tests/expected/make-policy-datasets.sh, never from
# edgewatch, and a capture and rule with none must raise nothing.  Where
# edgewatch is known to differ, tests/expected/policy-datasets-differences.tsv
# says what it reports instead, and why.
. "${EW_SRCDIR:?}/tests/lib.sh"

ds=${EW_DATASETS:-}
[ -n "$ds" ] && [ -f "$ds/protocol-coverage/ndpi/telnet.pcap" ] ||
	skip "shared datasets not present (${ds:-EW_DATASETS unset})"
command -v tshark >/dev/null 2>&1 || skip "tshark not found"
EXP="$EW_SRCDIR/tests/expected/policy-datasets.tsv"
DIFFS="$EW_SRCDIR/tests/expected/policy-datasets-differences.tsv"
RULE_IDS="no-telnet no-inbound iot-egress camera-https-only"
tab=$(printf '\t')

# The zone `lan` is the default network.home_networks; severity high, so
# that no denial falls below detection.min_severity.
lan='zones:
  lan: {cidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, "fe80::/10", "fc00::/7"]}
default: allow
rules:'
printf '%s\n%s\n' "$lan" \
	'  - {id: no-telnet, from: any, to: any, proto: tcp, ports: [23, 2323], action: deny, severity: high}' \
	> "$TMP/no-telnet.yaml"
# Ports 0-65535: TCP and UDP only, as the table counts them.
printf '%s\n%s\n' "$lan" \
	'  - {id: no-inbound, from: internet, to: lan, ports: ["0-65535"], action: deny, severity: high}' \
	> "$TMP/no-inbound.yaml"
printf '%s\n%s\n%s\n%s\n' "$lan" \
	'  - {id: egress-dns-ntp, from: lan, to: internet, proto: udp, ports: [53, 123], action: allow}' \
	'  - {id: egress-dns-https, from: lan, to: internet, proto: tcp, ports: [53, 443], action: allow}' \
	'  - {id: iot-egress, from: lan, to: internet, ports: ["0-65535"], action: deny, severity: high}' \
	> "$TMP/iot-egress.yaml"
printf '%s\n%s\n%s\n' "$lan" \
	'  - {id: camera-https, from: lan, to: internet, class: [camera], proto: tcp, ports: [443], action: allow}' \
	'  - {id: camera-https-only, from: lan, to: internet, class: [camera], ports: ["0-65535"], action: deny, severity: high}' \
	> "$TMP/camera-https-only.yaml"
# Every D-Link device is a camera from its first frame (the vendor is the MAC's).
printf 'rules:\n  - {id: dlink-camera, class: camera, weight: 90, when: {vendor: "D-Link International"}}\n' \
	> "$TMP/cameras.yaml"

# violations JSON RULE: "device flows" per device with closed policy:RULE
# incidents, their hits summed ("(untracked)" for an alert with no device);
# "- 0" when there is none.
violations() {
	grep '"event_type":"alert"' "$1" | grep '"status":"closed"' | grep "\"cause\":\"policy:$2\"" |
		sed -e 's/.*"device":{"\(mac\|ip\)":"\([^"]*\)".*"hits":\([0-9]*\).*/\2 \3/' \
		    -e 's/.*"device":{"device_key":"0*".*"hits":\([0-9]*\).*/(untracked) \1/' |
		awk '{ n[$1] += $2 } END { for (d in n) { print d, n[d]; k++ } if (!k) print "-", 0 }' |
		LC_ALL=C sort
}

# expected CAPTURE RULE: the table's "device flows" lines, with the known
# differences in place of the rows they name.
expected() {
	awk -F"$tab" -v c="$1" -v r="$2" '
		NR == FNR { if ($1 == c && $2 == r) { dev[$3] = $4; n[$3] = $5 } next }
		$1 == c && $2 == r { if ($3 in dev) print dev[$3], n[$3]; else print $3, $4 }' \
		"$DIFFS" "$EXP" | LC_ALL=C sort
}

checked=0 flagged=0
for cap in $(grep -v '^#' "$EXP" | cut -f1 | uniq); do
	[ -f "$ds/$cap" ] || continue
	checked=$((checked + 1))
	for r in $RULE_IDS; do
		run_ew -q -r "$ds/$cap" --rules "$TMP/cameras.yaml" --policy "$TMP/$r.yaml" \
			-o "$TMP/out.json"
		expect_eq "$cap $r: status" "$RC" 0
		want=$(expected "$cap" "$r")
		[ -n "$want" ] || fail "$cap $r: not in the table"
		[ "$want" = "- 0" ] || flagged=$((flagged + 1))
		expect_eq "$cap $r: violations per device" "$(violations "$TMP/out.json" "$r" | tr '\n' ' ')" \
			"$(printf '%s\n' "$want" | tr '\n' ' ')"
	done
done
[ "$checked" -gt 0 ] || skip "no listed capture found under $ds"
# Both kinds of case are exercised: violations found, and nothing flagged.
[ "$flagged" -gt 0 ] || fail "no capture and rule with a violation: a vacuous test"
echo "checked $checked captures, $flagged capture-rule pairs with violations"
finish
