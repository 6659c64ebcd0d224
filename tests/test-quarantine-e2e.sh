#!/bin/sh
# test-quarantine-e2e.sh - from attack to quarantine request to enforcement
# point, through a real redis-server on a temporary unix socket.
#
# A generated home with a Mirai-style scan from the camera and ARP spoofing
# from the printer, shifted in time to end now (editcap -t).  edgewatch
# runs with Redis output and quarantine on: alerts and anomalies must reach
# edgewatch:alerts, one signed isolate request per attacking device must
# reach edgewatch:quarantine (checked against the generator's labels and
# with openssl's HMAC, independently of the C code), the allowlisted router
# must never be requested, and edgewatch-enforcer (verify and report only:
# --dry-run) must accept exactly those requests.
. "${EW_SRCDIR:?}/tests/lib.sh"

for tool in redis-server redis-cli openssl editcap capinfos; do
	command -v "$tool" >/dev/null 2>&1 || { skip "$tool not found"; finish; }
done
ENFORCER="$(dirname "$EDGEWATCH")/edgewatch-enforcer"
[ -x "$ENFORCER" ] || { fail "no edgewatch-enforcer at $ENFORCER"; finish; }

SOCK="$TMP/r.sock"
KEY='e2e-test-key-0123456789abcdefghijklmnopq'
printf '%s\n' "$KEY" > "$TMP/key"
chmod 600 "$TMP/key"

trap 'stop_redis; rm -rf "$TMP"' EXIT
start_redis
rcli() { redis-cli -s "$SOCK" "$@"; }

# The capture, moved so that its last packet is a few seconds ago.
"$PCAPGEN" attacks --warmup 600 --attack mirai_scan --attack arp_spoof --seed 1 \
	-o "$TMP/raw.pcap" --labels "$TMP/labels.csv" 2>/dev/null
last=$(capinfos -e -S "$TMP/raw.pcap" | sed -n 's/^Last packet time: *\([0-9]*\).*/\1/p')
shift_s=$(($(date +%s) - 5 - last))
editcap -t "$shift_s" -F pcap "$TMP/raw.pcap" "$TMP/attacks.pcap"
camera=$(sed -n 2p "$TMP/labels.csv" | cut -d, -f1)
printer=$(sed -n 3p "$TMP/labels.csv" | cut -d, -f1)

# The enforcement point is deployed first: its consumer group exists (it reads
# what is added after it joined, as edgewatch-enforcer does at its first start).
rcli XGROUP CREATE edgewatch:quarantine edgewatch-enforcers '$' MKSTREAM >/dev/null

cat > "$TMP/edgewatch.yaml" <<EOF
output:
  redis:
    url: "unix://$SOCK"
quarantine:
  enabled: true
  dry_run: false
  key_file: "$TMP/key"
  sensor_id: e2e-sensor
  min_severity: high
  causes: [anomaly, mirai-syn-seq, arp-spoof]
  allow: ["class:router"]
  ttl: 3600
EOF
"$EDGEWATCH" -q -r "$TMP/attacks.pcap" -c "$TMP/edgewatch.yaml" \
	--rules "$EW_SRCDIR/rules/devices.yaml" --detections "$EW_SRCDIR/rules/detections.yaml" \
	--models "$EW_SRCDIR/models" -o "$TMP/events.json" 2>"$TMP/err"
expect_eq "edgewatch exit status" "$?" 0

# Every alert and anomaly line is an entry of edgewatch:alerts, in order.
grep -E '"event_type":"(alert|anomaly)"' "$TMP/events.json" > "$TMP/alerts.json"
expect_eq "alerts stream: every alert and anomaly" "$(rcli XLEN edgewatch:alerts)" \
	"$(lines "$TMP/alerts.json")"
rcli --raw XRANGE edgewatch:alerts - + | awk 'prev == "event" { print } { prev = $0 }' \
	> "$TMP/alerts.stream"
expect_same "alerts stream: the same lines in the same order" "$TMP/alerts.stream" "$TMP/alerts.json"

# The requests: field=value lines per entry.
rcli --raw XRANGE edgewatch:quarantine - + |
	awk '/^[0-9]+-[0-9]+$/ { if (n) print ""; n++; next } { if (k == "") k = $0; else { print k "=" $0; k = "" } }' \
	> "$TMP/requests"
macs=$(sed -n 's/^mac=//p' "$TMP/requests" | sort | tr '\n' ' ')
expect_eq "one isolate request per attacking device" "$macs" \
	"$(printf '%s\n%s\n' "$camera" "$printer" | sort | tr '\n' ' ')"
expect_eq "the requests isolate" "$(sed -n 's/^action=//p' "$TMP/requests" | sort -u)" isolate
expect_eq "quarantine events say they were delivered" \
	"$(grep -c '"decision":"sent","dry_run":false' "$TMP/events.json")" 2

# Each signature, recomputed from the fields with openssl.
bad=0
for i in 1 2; do
	awk -v n="$i" 'BEGIN { RS = "" } NR == n' "$TMP/requests" > "$TMP/req"
	f() { sed -n "s/^$1=//p" "$TMP/req"; }
	canon=$(printf 'edgewatch-quarantine-v1\n'
		for k in v request_id sensor_id action mac addrs allow reason incident_id cause \
			issued_us expires_us; do
			val=$(f "$k")
			printf '%s=%d:%s\n' "$k" "$(printf '%s' "$val" | wc -c)" "$val"
		done)
	sig=$(printf '%s\n' "$canon" | openssl dgst -sha256 -hmac "$KEY" | awk '{ print $NF }')
	[ "$sig" = "$(f sig)" ] || bad=$((bad + 1))
done
expect_eq "signatures match openssl's HMAC-SHA256" "$bad" 0

# The enforcement point accepts both (dry run: it verifies and reports only).
"$ENFORCER" --redis "unix://$SOCK" --key-file "$TMP/key" --once --dry-run --max-skew 3600 -q \
	2>"$TMP/enforcer.err"
expect_eq "enforcer exit status" "$?" 0
rcli --raw XRANGE edgewatch:enforcement - + | awk 'prev == "outcome" { print } { prev = $0 }' |
	sort | uniq -c | awk '{ print $2 " x" $1 }' > "$TMP/outcomes"
expect_eq "enforcer: both requests applied (dry run)" "$(cat "$TMP/outcomes")" "applied x2"
finish
