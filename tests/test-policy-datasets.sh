#!/bin/sh
# test-policy-datasets.sh - the segmentation policy on real captures from
# ../shared/datasets (skipped when they are absent): a policy that forbids
# telnet anywhere on the LAN finds the telnet session of the nDPI
# protocol-coverage capture telnet.pcap, on the client tshark names (the
# sender of the SYN), and nothing on captures without telnet (two IoT
# Sentinel device setups and a TLS capture).
. "${EW_SRCDIR:?}/tests/lib.sh"

ds=${EW_DATASETS:-}
[ -n "$ds" ] && [ -f "$ds/protocol-coverage/ndpi/telnet.pcap" ] ||
	skip "shared datasets not present (${ds:-EW_DATASETS unset})"
command -v tshark >/dev/null 2>&1 || skip "tshark not found"

cat > "$TMP/policy.yaml" <<'EOF'
zones:
  lan: {cidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}
default: allow
rules:
  - {id: no-telnet, from: any, to: lan, proto: tcp, ports: [23, 2323], action: deny, severity: high}
EOF

# polices CAPTURE: runs edgewatch with the policy; $TMP/pol gets the clients
# of the opened policy incidents, "mac rule", sorted.
polices() {
	run_ew -q -r "$1" --policy "$TMP/policy.yaml" --rules "$EW_SRCDIR/rules/devices.yaml" \
		-o "$TMP/out.json"
	expect_eq "$(basename "$1"): status" "$RC" 0
	grep '"event_type":"alert"' "$TMP/out.json" | grep '"status":"opened"' |
		grep '"cause":"policy:' |
		sed 's/.*"mac":"\([^"]*\)".*"cause":"\([^"]*\)".*/\1 \2/' | LC_ALL=C sort -u \
		> "$TMP/pol"
}

cap="$ds/protocol-coverage/ndpi/telnet.pcap"
want=$(tshark -r "$cap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 23' \
	-T fields -e eth.src 2>/dev/null | LC_ALL=C sort -u | sed 's/$/ policy:no-telnet/')
polices "$cap"
expect_eq "telnet.pcap: the telnet client violates no-telnet" "$(cat "$TMP/pol")" "$want"
expect_eq "telnet.pcap: tshark found a client (the check is not empty)" \
	"$([ -n "$want" ] && echo yes)" yes

for c in benign-iot/iot-sentinel/D-LinkCam/Setup-A-1-STA.pcap \
	benign-iot/iot-sentinel/EdimaxCam1/Setup-A-1-STA.pcap \
	protocol-coverage/ndpi/tls_unidirectional.pcap; do
	[ -f "$ds/$c" ] || continue
	tel=$(tshark -r "$ds/$c" -Y 'tcp.dstport == 23 || tcp.dstport == 2323' 2>/dev/null | wc -l)
	expect_eq "$c: no telnet in it (tshark)" "$tel" 0
	polices "$ds/$c"
	expect_eq "$c: no policy alert" "$(cat "$TMP/pol")" ""
done
finish
