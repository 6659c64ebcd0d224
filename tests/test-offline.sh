#!/bin/sh
# test-offline.sh - offline analysis of the generated captures against the
# generator's own ground truth: every flow (endpoints, VLAN, per-direction
# packets and bytes, application, server name), totals, link types,
# pcapng, stdin, directories, BPF and determinism.
. "${EW_SRCDIR:?}/tests/lib.sh"

# check_against_truth CAPTURE TRUTH
check_against_truth() {
	cap=$1
	truth=$2
	name=$(basename "$cap")
	run_ew -r "$cap" -o "$TMP/$name.json"
	expect_eq "$name: exit status" "$RC" 0
	expect_eq "$name: packets" "$(summary_num 'failed;')" "$(truth_header "$truth" packets)"
	expect_eq "$name: bytes" "$(summary_num 'packets,')" "$(truth_header "$truth" bytes)"
	expect_eq "$name: arp frames" "$(summary_num 'arp')" "$(truth_header "$truth" arp)"
	expect_eq "$name: malformed" "$(summary_num 'malformed')" 0
	expect_eq "$name: flow events" "$(grep -c '"event_type":"flow"' "$TMP/$name.json")" \
		"$(truth_header "$truth" flows)"
	flows_tsv "$TMP/$name.json" > "$TMP/$name.got"
	truth_tsv "$truth" > "$TMP/$name.want"
	expect_same "$name: every flow matches the ground truth" "$TMP/$name.got" "$TMP/$name.want"
}

[ -f "$PCAPS/smart-home.pcap" ] || { fail "pcaps/smart-home.pcap missing"; finish; }

check_against_truth "$PCAPS/smart-home.pcap" "$PCAPS/smart-home.truth"
check_against_truth "$PCAPS/smart-home-v6.pcap" "$PCAPS/smart-home-v6.truth"
for t in "$PCAPS"/linktypes/*.truth; do
	check_against_truth "${t%.truth}.pcap" "$t"
done

# JA3 of every TLS client, against tshark's own computation
# (tests/expected/NAME.ja3, recorded by tests/expected/make-ja3.sh).
for name in smart-home smart-home-v6; do
	sed -n 's/.*"src_ip":"\([^"]*\)","src_port":\([0-9]*\),.*"ja3":{"hash":"\([0-9a-f]*\)"}.*/\1 \2 \3/p' \
		"$TMP/$name.pcap.json" | LC_ALL=C sort > "$TMP/$name.ja3"
	expect_same "$name: JA3 of $(lines "$TMP/$name.ja3") TLS clients = tshark's" "$TMP/$name.ja3" "$EW_SRCDIR/tests/expected/$name.ja3"
done

# The inventory: one JSON line per device, with the DHCP host name and
# fingerprint (option 55) each client sent, as tshark dissects them
# (tests/expected/smart-home.dhcp, by tests/expected/make-devices.sh);
# and a table with a header and one row per device.
run_ew -q -r "$PCAPS/smart-home.pcap" -o /dev/null --inventory --inventory-json "$TMP/inv.json"
expect_eq "inventory exit status" "$RC" 0
expect_eq "inventory lines" "$(lines "$TMP/inv.json")" \
	"$(lines "$EW_SRCDIR/tests/expected/smart-home.macs")"
expect_eq "inventory table rows" "$(grep -c '^[0-9a-f][0-9a-f]:' "$TMP/out")" \
	"$(lines "$EW_SRCDIR/tests/expected/smart-home.macs")"
sed -n 's/.*"mac":"\([^"]*\)".*"dhcp_hostname":\[{"value":"\([^"]*\)".*"dhcp_fingerprint":\[{"value":"\([^"]*\)".*/\1 \2 \3/p' \
	"$TMP/inv.json" | LC_ALL=C sort > "$TMP/dhcp.got"
expect_same "DHCP host names and fingerprints of $(lines "$TMP/dhcp.got") clients = tshark's" "$TMP/dhcp.got" "$EW_SRCDIR/tests/expected/smart-home.dhcp"
sed -n 's/.*"mac":"\([^"]*\)".*"ssdp_server":\[{"value":"\([^"]*\)".*/\1|\2/p' "$TMP/inv.json" |
	LC_ALL=C sort > "$TMP/ssdp.got"
expect_same "SSDP SERVER of $(lines "$TMP/ssdp.got") devices = tshark's" "$TMP/ssdp.got" "$EW_SRCDIR/tests/expected/smart-home.ssdp"
sed -n 's/.*"mac":"\([^"]*\)".*"http_user_agent":\[{"value":"\([^"]*\)".*/\1|\2/p' "$TMP/inv.json" |
	LC_ALL=C sort > "$TMP/ua.got"
expect_same "HTTP User-Agent of $(lines "$TMP/ua.got") devices = tshark's" "$TMP/ua.got" "$EW_SRCDIR/tests/expected/smart-home.ua"
grep '"mac":"00:17:88:6a:2b:3c"' "$TMP/inv.json" | grep -q '"mdns_service":\[{"value":"_hue._tcp.local"' &&
	pass "Hue bridge announces _hue._tcp.local over mDNS" || fail "Hue mDNS service missing"
grep -q '"vendor":"Hangzhou Hikvision Digital Technology Co.,Ltd."' "$TMP/inv.json" &&
	pass "camera vendor from the IEEE registry" || fail "camera vendor missing"

# IPv6 addresses bound from neighbour advertisements = tshark's NA targets
# (tests/expected/smart-home-v6.ndp).
run_ew -q -r "$PCAPS/smart-home-v6.pcap" -o /dev/null --inventory-json "$TMP/v6inv.json"
awk '{
	mac = $0; sub(/.*"mac":"/, "", mac); sub(/".*/, "", mac)
	rest = $0
	while (match(rest, /\{"address":"[^"]*","source":"ndp"/)) {
		a = substr(rest, RSTART + 12, RLENGTH - 12)
		sub(/".*/, "", a)
		print mac, a
		rest = substr(rest, RSTART + RLENGTH)
	}
}' "$TMP/v6inv.json" | LC_ALL=C sort > "$TMP/ndp.got"
expect_same "NDP-bound addresses of $(lines "$TMP/ndp.got") devices = tshark's NA targets" "$TMP/ndp.got" "$EW_SRCDIR/tests/expected/smart-home-v6.ndp"

# The inventory survives a restart: a second run over the same traffic
# with the same state directory reports no device as new; a damaged state
# file is reported with file:line, set aside, and rebuilt from traffic.
mkdir "$TMP/state"
run_ew -q -r "$PCAPS/smart-home.pcap" --state-dir "$TMP/state" -o "$TMP/s1.json"
expect_eq "first run with state: new devices" "$(grep -c '"event":"new"' "$TMP/s1.json")" \
	"$(lines "$EW_SRCDIR/tests/expected/smart-home.macs")"
run_ew -q -r "$PCAPS/smart-home.pcap" --state-dir "$TMP/state" -o "$TMP/s2.json"
expect_eq "second run with state: status" "$RC" 0
expect_eq "second run with state: new devices" "$(grep -c '"event":"new"' "$TMP/s2.json")" 0
expect_eq "second run with state: device events" "$(grep -c '"event_type":"device"' "$TMP/s2.json")" 0
printf 'edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 x 0 0 0 0 0 0\n' > "$TMP/state/inventory.state"
run_ew -q -r "$PCAPS/smart-home.pcap" --state-dir "$TMP/state" -o "$TMP/s3.json"
expect_eq "damaged state: status" "$RC" 0
grep -q "inventory.state:2: bad number; set aside as .*inventory.state.corrupt" "$TMP/err" &&
	pass "damaged state reported with file:line" || fail "damaged state message: $(cat "$TMP/err")"
[ -f "$TMP/state/inventory.state.corrupt" ] && pass "damaged state set aside" || fail "not set aside"
expect_eq "damaged state: devices rebuilt" "$(grep -c '"event":"new"' "$TMP/s3.json")" \
	"$(lines "$EW_SRCDIR/tests/expected/smart-home.macs")"
grep -q '^D 44:19:b6:3a:7c:01 ' "$TMP/state/inventory.state" && pass "state rewritten after rebuild" ||
	fail "state not rewritten"

# Classification with the shipped rules: every device of the home gets
# the class of what the generator built (pcaps/README.md's device table,
# written out in tests/expected/smart-home.classes), with evidence.
run_ew -q -r "$PCAPS/smart-home.pcap" --rules "$EW_SRCDIR/rules/devices.yaml" -o "$TMP/cl.json" \
	--inventory-json "$TMP/cl-inv.json"
expect_eq "classification run status" "$RC" 0
sed -n 's/.*"mac":"\([^"]*\)".*"class":"\([^"]*\)".*/\1 \2/p' "$TMP/cl-inv.json" |
	LC_ALL=C sort > "$TMP/classes.got"
LC_ALL=C sort "$EW_SRCDIR/tests/expected/smart-home.classes" > "$TMP/classes.want"
expect_same "all $(lines "$TMP/classes.got") devices classified as built" "$TMP/classes.got" "$TMP/classes.want"
expect_eq "devices without evidence" "$(grep -c '"class_evidence":\[\]' "$TMP/cl-inv.json")" 0
grep '"mac":"44:19:b6:3a:7c:01"' "$TMP/cl-inv.json" | grep -q '"signal":"dhcp_hostname","value":"DS-2CD2043G2-I"' &&
	pass "camera evidence names its DHCP host name" || fail "camera evidence missing the host name"
# An explicitly named rules file that does not load stops the run (status 3).
printf 'rules:\n  - id: x\n' > "$TMP/bad-rules.yaml"
run_ew -q -r "$PCAPS/smart-home.pcap" --rules "$TMP/bad-rules.yaml" -o /dev/null
expect_eq "bad rules status" "$RC" 3
grep -q "bad-rules.yaml:2:" "$TMP/err" && pass "bad rules named with file:line" ||
	fail "bad rules message: $(cat "$TMP/err")"

# pcapng gives exactly the events of the same traffic in pcap.
run_ew -q -r "$PCAPS/smart-home.pcapng" -o "$TMP/ng.json"
expect_eq "pcapng exit status" "$RC" 0
expect_same "pcapng output = pcap output" "$TMP/ng.json" "$TMP/smart-home.pcap.json"

# Deterministic: a second run is byte-identical.
run_ew -q -r "$PCAPS/smart-home.pcap" -o "$TMP/again.json"
expect_same "same capture, same output" "$TMP/again.json" "$TMP/smart-home.pcap.json"

# stdin.
"$EDGEWATCH" -q -r - < "$PCAPS/smart-home.pcap" > "$TMP/stdin.json"
expect_eq "stdin exit status" "$?" 0
expect_same "stdin output = file output" "$TMP/stdin.json" "$TMP/smart-home.pcap.json"

# -q prints nothing on stderr.
run_ew -q -r "$PCAPS/smart-home.pcap" -o /dev/null
expect_eq "-q stderr bytes" "$(wc -c < "$TMP/err" | tr -d ' ')" 0

# A directory: its capture files in name order, other files ignored.
mkdir "$TMP/dir"
cp "$PCAPS/smart-home.pcap" "$TMP/dir/b.pcap"
cp "$PCAPS/linktypes/smart-home-vlan.pcap" "$TMP/dir/a.pcap"
echo "not a capture" > "$TMP/dir/notes.txt"
run_ew -r "$TMP/dir" -o "$TMP/dir.json"
expect_eq "directory exit status" "$RC" 0
expect_eq "directory files read" "$(sed -n 's/.*: \([0-9]*\) file(s) read.*/\1/p' "$TMP/err")" 2
want=$(( $(truth_header "$PCAPS/smart-home.truth" packets) +
	 $(truth_header "$PCAPS/linktypes/smart-home-vlan.truth" packets) ))
expect_eq "directory packets" "$(summary_num 'failed;')" "$want"
# a.pcap (VLAN 10) is read before b.pcap: its first flow event is tagged.
grep -m 1 '"event_type":"flow"' "$TMP/dir.json" | grep -q '"vlan":\[10\]' && pass "directory read in name order" ||
	fail "first event of the directory run is not from a.pcap"

# A BPF filter: only the DNS flows on port 53 remain.
run_ew -q -r "$PCAPS/smart-home.pcap" -f 'udp port 53' -o "$TMP/dns.json"
want=$(truth_tsv "$PCAPS/smart-home.truth" | awk -F '\t' '$1 == "UDP" && ($3 == 53 || $5 == 53)' | wc -l)
expect_eq "BPF udp port 53 flows" "$(grep -c '"event_type":"flow"' "$TMP/dns.json")" "$want"
expect_eq "BPF non-53 flows" "$(flows_tsv "$TMP/dns.json" | awk -F '\t' '$3 != 53 && $5 != 53' | wc -l)" 0

# Every output line is a JSON object with the EVE header fields in order.
bad=$(grep -v -c -e '^{"timestamp":"[0-9-]*T[0-9:.]*+0000","flow_id":[0-9]*,"event_type":"flow",.*}$' \
	-e '^{"timestamp":"[0-9-]*T[0-9:.]*+0000","event_type":"device","event":"[a-z]*","mac":"[0-9a-f:]*",.*}$' \
	-e '^{"timestamp":"[0-9-]*T[0-9:.]*+0000","event_type":"stats","stats":{.*}$' \
	-e '^{"timestamp":"[0-9-]*T[0-9:.]*+0000","event_type":"posture","device":{.*}$' \
	"$TMP/smart-home.pcap.json")
expect_eq "lines without the EVE header" "$bad" 0

# Devices: one "new" event per unicast MAC that sent IP or ARP, as tshark
# counts them (tests/expected/NAME.macs, by tests/expected/make-devices.sh).
for name in smart-home smart-home-v6; do
	sed -n 's/.*"event_type":"device","event":"new","mac":"\([0-9a-f:]*\)".*/\1/p' \
		"$TMP/$name.pcap.json" | LC_ALL=C sort > "$TMP/$name.macs"
	expect_same "$name: $(lines "$TMP/$name.macs") devices = tshark's source MACs" "$TMP/$name.macs" "$EW_SRCDIR/tests/expected/$name.macs"
done

# A DHCP REQUEST carrying a MUD URL (option 161, RFC 8520), made by hand:
# Ethernet broadcast from 44:19:b6:3a:7c:99; IPv4 0.0.0.0 -> 255.255.255.255
# (20 + 8 + 277 = 305 = 0x131 bytes); UDP 68 -> 67 (285 = 0x11d); BOOTP
# fixed header (236) and cookie (4); options 53 REQUEST (3), 161 of 31
# bytes (33), end (1): 277.  The inventory keeps the URL as sent, and
# tshark's dissector reads the same URL from the frame.
url='https://mud.example.com/cam-1.2'
url_hex=$(printf '%s' "$url" | od -An -tx1 | tr -d ' \n')
zeros() { printf '00%.0s' $(seq 1 "$1"); }
frame="ffffffffffff 4419b63a7c99 0800 4500 0131 0000 0000 4011 0000 00000000 ffffffff"
frame="$frame 0044 0043 011d 0000 01 01 06 00 12345678 0000 0000 $(zeros 16)"
frame="$frame 4419b63a7c99 $(zeros 10) $(zeros 192) 63825363 350103 a11f $url_hex ff"
pcap_from_hex "$TMP/mud.pcap" "$frame"
run_ew -q -r "$TMP/mud.pcap" -o /dev/null --inventory-json "$TMP/mud-inv.json"
expect_eq "MUD URL: exit status" "$RC" 0
expect_eq "MUD URL in the inventory" \
	"$(sed -n 's/.*"mac":"44:19:b6:3a:7c:99".*"mud_url":\[{"value":"\([^"]*\)".*/\1/p' "$TMP/mud-inv.json")" \
	"$url"
if command -v tshark >/dev/null 2>&1; then
	expect_eq "MUD URL: tshark reads the same from the frame" \
		"$(tshark -r "$TMP/mud.pcap" -T fields -e dhcp.option.mudurl 2>/dev/null)" "$url"
fi

# An LLDP frame made by hand, as a PLC sends it: from 00:1b:1b:12:34:56 to
# 01:80:c2:00:00:0e, TLVs chassis id, port id, TTL, system name, system
# description, capabilities (has bridge + station-only 0x0084, enables
# station-only 0x0080), IANA's MUD URL (OUI 00-00-5e, subtype 1), End.
# The inventory keeps name, description, enabled capabilities and URL; tshark's
# dissector reads the same name, description, URL and enabled bits.
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lldp_tlv() { # TYPE TEXT: one TLV of a text value
	printf '%04x%s' $(( ($1 << 9) | ${#2} )) "$(hexs "$2")"
}
name=plc-line-3 desc='Siemens, SIMATIC S7, CPU 1516-3 PN/DP, FW: V2.9.4'
lurl=https://mud.example.com/s7-1500.json
frame="0180c200000e 001b1b123456 88cc 0207 04001b1b123456 0409 07706f72742d303031 0602 0078"
frame="$frame $(lldp_tlv 5 "$name") $(lldp_tlv 6 "$desc") 0e04 00840080"
frame="$frame $(printf '%04x' $(( (127 << 9) | (${#lurl} + 4) ))) 00005e01 $(hexs "$lurl") 0000"
pcap_from_hex "$TMP/lldp.pcap" "$frame"
run_ew -q -r "$TMP/lldp.pcap" -o /dev/null --inventory-json "$TMP/lldp-inv.json"
expect_eq "LLDP: exit status" "$RC" 0
sig() { sed -n "s/.*\"$1\":\[{\"value\":\"\([^\"]*\)\".*/\1/p" "$TMP/lldp-inv.json"; }
expect_eq "LLDP: the inventory's name, description, capabilities and MUD URL" \
	"$(sig lldp_name)|$(sig lldp_description)|$(sig lldp_capabilities)|$(sig mud_url)" \
	"$name|$desc|station-only|$lurl"
if command -v tshark >/dev/null 2>&1; then
	expect_eq "LLDP: tshark reads the same name, description, enabled bits and URL" \
		"$(tshark -r "$TMP/lldp.pcap" -T fields -E separator='|' -e lldp.tlv.system.name \
			-e lldp.tlv.system.desc -e lldp.tlv.enable_system_cap -e lldp.iana.mudurl 2>/dev/null)" \
		"$name|$desc|0x0080|$lurl"
fi
finish
