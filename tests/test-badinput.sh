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
