#!/bin/sh
# test-ctl.sh - edgewatch-ctl quarantine list|release (src/ctl-main.c)
# against a real redis-server on a temporary unix socket, with a password.
#
# The requests in the stream are signed here, independently of the C
# code: the canonical encoding written out with printf and the HMAC by
# `openssl dgst -hmac`.  The release edgewatch-ctl writes is checked the
# same way.  list must show exactly the devices whose last request was
# applied (or not answered yet), not rejected, not expired, not released.
. "${EW_SRCDIR:?}/tests/lib.sh"

command -v redis-server >/dev/null 2>&1 ||
	skip "redis-server not found (Debian package redis-server): edgewatch-ctl not tested"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli not found (Debian package redis-tools)"
command -v openssl >/dev/null 2>&1 || skip "openssl not found: cannot sign test requests"
CTL="${EDGEWATCH_CTL:-$(dirname "$EDGEWATCH")/edgewatch-ctl}"
[ -x "$CTL" ] || { fail "no edgewatch-ctl at $CTL"; finish; }

SOCK="$TMP/r.sock"
PW='ctl-test-password'
KEY='ctl-test-key-0123456789abcdefghijklmnop' # 39 bytes
S=edgewatch:quarantine
E=edgewatch:enforcement

# The operator's ACL user has the rights docs/redis.md gives edgewatch-ctl, no more.
printf 'user default on >%s ~* &* +@all\n' "$PW" > "$TMP/redis.conf"
printf 'user ops on >%s resetkeys resetchannels -@all +ping +select ~edgewatch:quarantine ~edgewatch:enforcement +xrange (~edgewatch:quarantine +xadd)\n' \
	"$PW" >> "$TMP/redis.conf"
printf '%s\n' "$KEY" > "$TMP/key"
chmod 600 "$TMP/key"

trap 'stop_redis; rm -rf "$TMP"' EXIT

export REDISCLI_AUTH="$PW"
start_redis "$TMP/redis.conf"

rcli() {
	redis-cli -s "$SOCK" -n 3 "$@"
}

# canonical V RID SENSOR ACTION MAC ADDRS ALLOW REASON INCIDENT CAUSE ISSUED EXPIRES
canonical() {
	printf 'edgewatch-quarantine-v1\n'
	for f in v request_id sensor_id action mac addrs allow reason incident_id cause \
		issued_us expires_us; do
		printf '%s=%d:%s\n' "$f" "${#1}" "$1"
		shift
	done
}

# hmac: the hex HMAC-SHA256 of stdin under $KEY.
hmac() {
	openssl dgst -sha256 -hmac "$KEY" | awk '{ print $NF }'
}

# xadd_req ACTION MAC ADDRS ALLOW INCIDENT ISSUED EXPIRES RID [SIG]: a signed request.
xadd_req() {
	sig=$(canonical 1 "$8" sensor-t "$1" "$2" "$3" "$4" test "$5" anomaly "$6" "$7" | hmac)
	rcli XADD $S '*' v 1 request_id "$8" sensor_id sensor-t action "$1" mac "$2" \
		addrs "$3" allow "$4" reason test incident_id "$5" cause anomaly \
		issued_us "$6" expires_us "$7" sig "${9:-$sig}" >/dev/null
}

outcome() { # RID OUTCOME ENFORCER
	rcli XADD $E '*' v 1 request_id "$1" enforcer_id "$3" outcome "$2" detail '' \
		at_us "$NOW" >/dev/null
}

NOW_S=$(date +%s)
NOW=${NOW_S}000000
HOUR=3600000000
LATER=$((NOW + HOUR))
RID1=000000000000000000000000000000a1
RID2=000000000000000000000000000000a2
RID3=000000000000000000000000000000a3
RID4=000000000000000000000000000000a4
RID5=000000000000000000000000000000a5
DNS=udp/192.168.1.1/53,udp/192.168.1.1/67

xadd_req isolate aa:bb:cc:dd:ee:01 192.168.1.21 $DNS 00000000000000a1 $NOW $LATER $RID1
outcome $RID1 applied enf-1
xadd_req isolate aa:bb:cc:dd:ee:02 192.168.1.22 $DNS 00000000000000a2 $NOW $LATER $RID2
outcome $RID2 rejected enf-1                       # refused: not quarantined
xadd_req isolate aa:bb:cc:dd:ee:03 192.168.1.23 $DNS 00000000000000a3 \
	$((NOW - 2 * HOUR)) $((NOW - HOUR)) $RID3  # expired an hour ago
outcome $RID3 applied enf-1
xadd_req restrict aa:bb:cc:dd:ee:04 192.168.1.24 tcp/198.51.100.20/443 00000000000000a4 \
	$NOW $LATER $RID4                          # no outcome yet: pending
xadd_req isolate aa:bb:cc:dd:ee:05 192.168.1.25 $DNS 00000000000000a5 $NOW $LATER $RID5 \
	0000000000000000000000000000000000000000000000000000000000000000 # bad signature
rcli XADD $S '*' v 1 action isolate >/dev/null    # malformed: fields missing

WHEN=$(date -u -d "@$((NOW_S + 3600))" +%Y-%m-%dT%H:%M:%SZ)
row() { # MAC ACTION RID OUTCOME ADDRS, formatted as edgewatch-ctl prints a row
	printf '%-17s  %-7s  %-20s  %-32s  %-16s  %s\n' "$1" "$2" "$WHEN" "$3" "$4" "$5"
}
header() {
	printf '%-17s  %-7s  %-20s  %-32s  %-16s  %s\n' mac action 'expires (UTC)' request_id \
		outcome addrs
}

URL="unix://$SOCK?db=3"
export EDGEWATCH_REDIS_PASSWORD="$PW"
ctl() { "$CTL" --redis-user ops "$@"; }

# Without a key: what the stream claims, bad signature included.
ctl --redis "$URL" quarantine list >"$TMP/out" 2>"$TMP/err"
expect_eq "list exit" $? 0
{
	header
	row aa:bb:cc:dd:ee:01 isolate $RID1 "applied by enf-1" 192.168.1.21
	row aa:bb:cc:dd:ee:04 restrict $RID4 pending 192.168.1.24
	row aa:bb:cc:dd:ee:05 isolate $RID5 pending 192.168.1.25
	echo "3 devices quarantined (ignored: 1 malformed requests, 0 with a bad signature," \
		"0 malformed outcomes)"
} >"$TMP/want"
expect_same "list without a key" "$TMP/out" "$TMP/want"

# With the key: the forged entry is left out.
ctl --redis "$URL" quarantine list --key-file "$TMP/key" >"$TMP/out" 2>"$TMP/err"
expect_eq "list --key-file exit" $? 0
{
	header
	row aa:bb:cc:dd:ee:01 isolate $RID1 "applied by enf-1" 192.168.1.21
	row aa:bb:cc:dd:ee:04 restrict $RID4 pending 192.168.1.24
	echo "2 devices quarantined (ignored: 1 malformed requests, 1 with a bad signature," \
		"0 malformed outcomes)"
} >"$TMP/want"
expect_same "list with the key" "$TMP/out" "$TMP/want"

# Release by hand (the MAC typed in capitals), then look at what was written.
ctl --redis "$URL" quarantine release AA:BB:CC:DD:EE:01 --key-file "$TMP/key" \
	--sensor-id ops-1 >"$TMP/out" 2>"$TMP/err"
expect_eq "release exit" $? 0
grep -q '^release of aa:bb:cc:dd:ee:01 sent: request [0-9a-f]\{32\}, entry [0-9]*-[0-9]*$' \
	"$TMP/out" || fail "release output: $(cat "$TMP/out" "$TMP/err")"
rcli XREVRANGE $S + - COUNT 1 | awk 'NR > 1 { if (NR % 2 == 0) f = $0; else print f "=" $0 }' \
	>"$TMP/fields"
field() { sed -n "s/^$1=//p" "$TMP/fields"; }
expect_eq "release: fields in order" "$(cut -d= -f1 "$TMP/fields" | tr '\n' ' ')" \
	"v request_id sensor_id action mac addrs allow reason incident_id cause issued_us expires_us sig "
expect_eq "release: action" "$(field action)" release
expect_eq "release: mac" "$(field mac)" aa:bb:cc:dd:ee:01
expect_eq "release: addrs from the last request" "$(field addrs)" 192.168.1.21
expect_eq "release: allow" "$(field allow)" ""
expect_eq "release: incident_id" "$(field incident_id)" ""
expect_eq "release: cause" "$(field cause)" manual
expect_eq "release: sensor_id" "$(field sensor_id)" ops-1
expect_eq "release: expires_us = issued_us" "$(field expires_us)" "$(field issued_us)"
ISSUED=$(field issued_us)
[ "$ISSUED" -ge "$NOW" ] && [ "$ISSUED" -lt $((NOW + 120000000)) ] ||
	fail "release: issued_us $ISSUED is not now ($NOW)"
SIG=$(canonical 1 "$(field request_id)" "$(field sensor_id)" release "$(field mac)" \
	"$(field addrs)" "" "$(field reason)" "" manual "$ISSUED" "$ISSUED" | hmac)
expect_eq "release: signature (openssl)" "$(field sig)" "$SIG"

ctl --redis "$URL" quarantine list --key-file "$TMP/key" >"$TMP/out" 2>"$TMP/err"
{
	header
	row aa:bb:cc:dd:ee:04 restrict $RID4 pending 192.168.1.24
	echo "1 device quarantined (ignored: 1 malformed requests, 1 with a bad signature," \
		"0 malformed outcomes)"
} >"$TMP/want"
expect_same "list after the release" "$TMP/out" "$TMP/want"

# Mistakes.
ctl --redis "$URL" quarantine release aa:bb:cc:dd:ee:04 >/dev/null 2>"$TMP/err"
expect_eq "release without --key-file" $? 2
ctl --redis "$URL" quarantine release aa:bb:cc:dd:ee >/dev/null 2>"$TMP/err" \
	--key-file "$TMP/key"
expect_eq "release of a bad MAC" $? 2
ctl --redis "$URL" quarantine release aa:bb:cc:dd:ee:99 --key-file "$TMP/key" \
	--sensor-id ops-1 >/dev/null 2>"$TMP/err"
expect_eq "release of a device never requested" $? 1
grep -q 'no request for aa:bb:cc:dd:ee:99' "$TMP/err" || fail "unknown device: $(cat "$TMP/err")"
printf 'short\n' > "$TMP/short"
chmod 600 "$TMP/short"
ctl --redis "$URL" quarantine release aa:bb:cc:dd:ee:04 --key-file "$TMP/short" \
	>/dev/null 2>"$TMP/err"
expect_eq "release with a short key" $? 1
grep -q 'key is 5 bytes; at least 32 are needed' "$TMP/err" || fail "short key: $(cat "$TMP/err")"
EDGEWATCH_REDIS_PASSWORD=wrong "$CTL" --redis-user ops --redis "$URL" quarantine list \
	>/dev/null 2>"$TMP/err"
expect_eq "list with a wrong password" $? 1
ctl --redis "$URL" quarantine frobnicate >/dev/null 2>&1
expect_eq "unknown command" $? 2

finish
