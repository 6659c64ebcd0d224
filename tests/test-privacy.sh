#!/bin/sh
# test-privacy.sh - output.privacy end to end on pcaps/smart-home.pcap:
# with pseudonymised, no MAC and no 192.168.x address of the capture is
# left in the events; with minimal, no name and no server name either.
# The full run is checked to hold them first, so neither check can pass
# on an output that never had them.  Also: the key file's checks.
. "${EW_SRCDIR:?}/tests/lib.sh"

CAP="$PCAPS/smart-home.pcap"
[ -f "$CAP" ] || { fail "pcaps/smart-home.pcap missing"; finish; }

MAC_RE='([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}'
HOME_RE='192\.168\.[0-9]+\.[0-9]+'

# 32 bytes of key, as conf-default.c suggests making one; owner-only.
KEY="$TMP/privacy.key"
printf '%s\n' 'Zm9yIHRoZSB0ZXN0IG9ubHk6IG5vdCBhIHJlYWwga2V5IQ==' > "$KEY"
chmod 600 "$KEY"

# conf LEVEL [KEYFILE]: a configuration file with output.privacy set.
conf() {
	{
		printf 'output:\n  privacy: %s\n' "$1"
		[ $# -gt 1 ] && printf '  privacy_key_file: "%s"\n' "$2"
	} > "$TMP/$1.yaml"
}

run_ew -r "$CAP" -o "$TMP/full.json"
expect_eq "full: exit status" "$RC" 0
full_lines=$(lines "$TMP/full.json")
[ "$(grep -Ec "$MAC_RE" "$TMP/full.json")" -gt 0 ] && pass "full: has MACs" ||
	fail "full: no MAC in the output: the check below would prove nothing"
[ "$(grep -Ec "$HOME_RE" "$TMP/full.json")" -gt 0 ] && pass "full: has 192.168.x addresses" ||
	fail "full: no 192.168.x address in the output"
grep -q '"server_name":' "$TMP/full.json" && pass "full: has server_name" ||
	fail "full: no server_name in the output"

conf pseudonymised "$KEY"
run_ew -c "$TMP/pseudonymised.yaml" -r "$CAP" -o "$TMP/pseudo.json"
expect_eq "pseudonymised: exit status" "$RC" 0
expect_eq "pseudonymised: lines" "$(lines "$TMP/pseudo.json")" "$full_lines"
expect_eq "pseudonymised: lines with a MAC" "$(grep -Ec "$MAC_RE" "$TMP/pseudo.json")" 0
expect_eq "pseudonymised: lines with a 192.168.x address" \
	"$(grep -Ec "$HOME_RE" "$TMP/pseudo.json")" 0
grep -Eq '"mac":"p:[0-9a-f]{16}"' "$TMP/pseudo.json" && pass "pseudonymised: MACs are pseudonyms" ||
	fail "pseudonymised: no pseudonymised mac member"
# Only strings change: the same members and numbers, line by line, but
# for the stats events' count of the filter's own lines (output-stats.h),
# which only a filtered run has: each stats event has it, and it is taken
# out before the comparison.
expect_eq "pseudonymised: stats events with the privacy counters" \
	"$(grep -c '"event_type":"stats".*"privacy":{"lines":[0-9]*,"dropped":0}' "$TMP/pseudo.json")" \
	"$(grep -c '"event_type":"stats"' "$TMP/full.json")"
sed -E 's/"([^"\\]|\\.)*"/S/g' "$TMP/full.json" > "$TMP/full.shape"
sed -E -e 's/,"privacy":\{"lines":[0-9]+,"dropped":[0-9]+\}//' -e 's/"([^"\\]|\\.)*"/S/g' \
	"$TMP/pseudo.json" > "$TMP/pseudo.shape"
expect_same "pseudonymised: members and numbers as in full" "$TMP/pseudo.shape" "$TMP/full.shape"
# Stable under the same key: a second run gives the same bytes.
run_ew -c "$TMP/pseudonymised.yaml" -r "$CAP" -o "$TMP/pseudo2.json"
expect_same "pseudonymised: the same key, the same pseudonyms" "$TMP/pseudo2.json" "$TMP/pseudo.json"

conf minimal "$KEY"
run_ew -c "$TMP/minimal.yaml" -r "$CAP" -o "$TMP/minimal.json"
expect_eq "minimal: exit status" "$RC" 0
expect_eq "minimal: lines" "$(lines "$TMP/minimal.json")" "$full_lines"
expect_eq "minimal: lines with a name member" "$(grep -c '"name":' "$TMP/minimal.json")" 0
expect_eq "minimal: lines with a server_name member" \
	"$(grep -c '"server_name":' "$TMP/minimal.json")" 0
expect_eq "minimal: lines with a MAC" "$(grep -Ec "$MAC_RE" "$TMP/minimal.json")" 0
expect_eq "minimal: lines with a 192.168.x address" "$(grep -Ec "$HOME_RE" "$TMP/minimal.json")" 0

# The key: required, and refused when others may read it.
conf pseudonymised
run_ew -c "$TMP/pseudonymised.yaml" -r "$CAP" -o "$TMP/nokey.json"
[ "$RC" -ne 0 ] && pass "no key file: refused (status $RC)" || fail "no key file: ran"
grep -q 'output.privacy pseudonymised needs output.privacy_key_file' "$TMP/err" &&
	pass "no key file: says so" || fail "no key file: $(cat "$TMP/err")"
chmod 640 "$KEY"
conf pseudonymised "$KEY"
run_ew -c "$TMP/pseudonymised.yaml" -r "$CAP" -o "$TMP/openkey.json"
[ "$RC" -ne 0 ] && pass "group-readable key: refused (status $RC)" || fail "group-readable key: ran"
grep -q 'readable or writable by group or others' "$TMP/err" &&
	pass "group-readable key: says so" || fail "group-readable key: $(cat "$TMP/err")"

finish
