#!/bin/sh
# test-badinput.sh - bad files and bad packets: clear one-line errors,
# documented exit statuses, and nothing already processed lost.
. "${EW_SRCDIR:?}/tests/lib.sh"

CAP="$PCAPS/smart-home.pcap"
TRUTH="$PCAPS/smart-home.truth"

# record_offset FILE K: byte offset where record K (0-based) of a classic
# little-endian pcap starts, walking the record headers independently of
# libpcap: 24-byte file header, then 16-byte record headers whose bytes
# 8..11 hold the captured length.
record_offset() {
	od -An -v -tu1 "$1" | awk -v want="$2" '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		off = 24
		for (k = 0; k < want; k++)
			off += 16 + b[off + 8] + 256 * b[off + 9] + 65536 * b[off + 10] + 16777216 * b[off + 11]
		print off
	}'
}

# Missing file: exit 4, the file named.
run_ew -r "$TMP/nope.pcap" -o "$TMP/o.json"
expect_eq "missing file status" "$RC" 4
grep -q "nope.pcap: No such file or directory" "$TMP/err" && pass "missing file named" ||
	fail "missing file message: $(head -n 1 "$TMP/err")"

# Not a capture.
run_ew -r "$EW_SRCDIR/README.md" -o "$TMP/o.json"
expect_eq "not a capture status" "$RC" 4
grep -q "README.md: .*unknown file format" "$TMP/err" && pass "not a capture named" ||
	fail "not-a-capture message: $(head -n 1 "$TMP/err")"

# An unsupported link type (147, DLT_USER0), header only.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\223\000\000\000' \
	> "$TMP/user0.pcap"
run_ew -r "$TMP/user0.pcap" -o "$TMP/o.json"
expect_eq "unsupported link type status" "$RC" 4
grep -q "user0.pcap: unsupported link type 147" "$TMP/err" && pass "link type named" ||
	fail "link type message: $(head -n 1 "$TMP/err")"

# One bad input among good ones: the good one is still read in full.
run_ew -r "$TMP/nope.pcap" -r "$CAP" -o "$TMP/mixed.json"
expect_eq "mixed inputs status" "$RC" 4
expect_eq "mixed inputs flows" "$(grep -c '"event_type":"flow"' "$TMP/mixed.json")" \
	"$(truth_header "$TRUTH" flows)"

# Truncated inside a record header: the first 1000 packets are processed
# and the error names the file, offset and count.
off=$(record_offset "$CAP" 1000)
head -c $((off + 7)) "$CAP" > "$TMP/cut-header.pcap"
run_ew -r "$TMP/cut-header.pcap" -o "$TMP/cut.json"
expect_eq "truncated header status" "$RC" 5
expect_eq "truncated header packets" "$(summary_num 'failed;')" 1000
grep -q "cut-header.pcap: damaged capture at byte offset $((off + 7)) after 1000 packets: truncated dump file" \
	"$TMP/err" && pass "truncation reported with offset" ||
	fail "truncation message: $(grep damaged "$TMP/err")"
[ "$(grep -c '"event_type":"flow"' "$TMP/cut.json")" -gt 0 ] && pass "flows before the damage kept" ||
	fail "no flows written from a truncated capture"

# Truncated inside packet data.
head -c $((off + 16 + 5)) "$CAP" > "$TMP/cut-data.pcap"
run_ew -r "$TMP/cut-data.pcap" -o "$TMP/cut2.json"
expect_eq "truncated data status" "$RC" 5
expect_eq "truncated data packets" "$(summary_num 'failed;')" 1000
grep -q "cut-data.pcap: damaged capture at byte offset .* after 1000 packets" "$TMP/err" &&
	pass "data truncation reported" || fail "data truncation message: $(grep damaged "$TMP/err")"

# Malformed packets inside a good capture: each counted by its reason and
# skipped, the good packets still tracked.  Frames written by hand:
E=00112233445566778899aabb
IP_HDR_UDP="45000020 0001 0000 4011 0000 c0a80102 c0a80101"
pcap_from_hex "$TMP/malformed.pcap" \
	"0011223344" \
	"$E 0800 44000020 0001 0000 4011 0000 c0a80102 c0a80101 cf080035000c0000 deadbeef" \
	"$E 0800 $IP_HDR_UDP cf08 0035 0003 0000 deadbeef" \
	"$E 88a8 0001 8100 0002 8100 0003 0800 $IP_HDR_UDP cf080035000c0000 deadbeef" \
	"$E 0800 45000028 0001 0000 4006 0000 c0a80102 c0a80101 c3500050 00000001 00000000 f002ffff 00000000" \
	"$E 0800 $IP_HDR_UDP cf08 0035 000c 0000 deadbeef" \
	"$E 0800 45000020 0001 2000 4011 0000 c0a80102 c0a80103 0102030405060708090a0b0c"
run_ew -r "$TMP/malformed.pcap" -o "$TMP/malformed.json"
expect_eq "malformed capture status" "$RC" 0
expect_eq "malformed frames" "$(summary_num 'malformed')" 5
expect_eq "decode errors by reason" "$(sed -n 's/^decode errors: //p' "$TMP/err")" \
	"eth.truncated 1, vlan.too_deep 1, ipv4.bad_ihl 1, tcp.bad_offset 1, udp.bad_len 1"
expect_eq "decode notes" "$(sed -n 's/^decode notes: //p' "$TMP/err")" "ipv4.fragment 1"
expect_eq "flows from the good frames" "$(grep -c '"event_type":"flow"' "$TMP/malformed.json")" 2
expect_eq "fragment flow" "$(grep -c '"fragmented":true' "$TMP/malformed.json")" 1

# Hostile bytes in a string taken from a packet (an HTTP Host header with a
# control character, a quote, a byte that is not UTF-8 and a backslash)
# come out escaped, so the line stays valid JSON.
pay=$(printf 'GET / HTTP/1.1\r\nHost: ev\001il"x\377\\y\r\nUser-Agent: t\r\n\r\n' |
	od -An -v -tx1 | tr -d ' \n')
tot=$(printf '%04x' $((40 + ${#pay} / 2)))
tcp_hdr="c3500050 00000001 00000001 5018ffff 00000000"
pcap_from_hex "$TMP/host.pcap" "$E 0800 4500$tot 0001 0000 4006 0000 c0a80102 c0a80101 $tcp_hdr $pay"
run_ew -q -r "$TMP/host.pcap" -o "$TMP/host.json"
expect_eq "escaped server_name" "$(grep -o '"server_name":"[^}]*' "$TMP/host.json")" \
	'"server_name":"ev\u0001il\"x\ufffd\\y"'

# Output that cannot be opened, and output that cannot be written.
run_ew -r "$CAP" -o "$TMP/no/such/dir/out.json"
expect_eq "unopenable output status" "$RC" 1
grep -q "out.json: No such file or directory" "$TMP/err" && pass "unopenable output named" ||
	fail "unopenable output message: $(cat "$TMP/err")"
if [ -w /dev/full ]; then
	run_ew -r "$CAP" -o /dev/full
	expect_eq "disk full status" "$RC" 1
	grep -q "/dev/full: write: No space left on device" "$TMP/err" && pass "disk full reported" ||
		fail "disk full message: $(grep output "$TMP/err")"
fi

finish
