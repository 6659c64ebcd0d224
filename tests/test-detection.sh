#!/bin/sh
# test-detection.sh - behavioural detection end to end, against the
# generator's ground truth (its labels), with the shipped rules and models.
#
#  1. The nine labelled attacks of `ew-pcapgen attacks` after 25 h of
#     benign life (the default learning period is 24 h): every one is
#     detected and attributed to the labelled device within 60 s of its
#     start, the median latency is under 10 s, and no incident opens on
#     the benign parts.  Tolerance 120 s: a flow rule fires when its flow
#     ends, up to a UDP timeout (60 s) after the last packet.
#  2. --learn and --state: baselines learned from a clean capture let the
#     next run detect from its first packet; the same attack without the
#     state is judged while learning.
#  3. A damaged baselines file is reported, set aside, and the run goes on.
. "${EW_SRCDIR:?}/tests/lib.sh"
: "${EDGEWATCH_EVAL:?run through make check}"

SHIPPED="--rules $EW_SRCDIR/rules/devices.yaml --detections $EW_SRCDIR/rules/detections.yaml"
SHIPPED="$SHIPPED --models $EW_SRCDIR/models"

# ---------------------------------------------------------------- 1
"$PCAPGEN" attacks --warmup 90000 --seed 1 -o "$TMP/attacks.pcap" \
	--labels "$TMP/attacks.csv" 2>/dev/null
expect_eq "generator labels nine attacks" "$(lines "$TMP/attacks.csv")" 10
# shellcheck disable=SC2086 # $SHIPPED is a list of words
"$EDGEWATCH" -q -r "$TMP/attacks.pcap" $SHIPPED -o "$TMP/attacks.json" \
	--inventory-json "$TMP/inventory.json"
expect_eq "attacks: edgewatch exit status" "$?" 0
# Posture: the camera's telnet brute force (label 2) makes it a telnet user;
# the Nest that started accepting connections from the Internet (new_service,
# label 9) is exposed; the lateral scan's refused SYNs to port 23 make no
# other device a telnet user.
expect_eq "posture: telnet users are the camera alone" \
	"$(grep '"event_type":"posture"' "$TMP/attacks.json" | grep '"new":\["telnet"' | grep -o '"mac":"[^"]*"' | sort -u)" \
	"\"mac\":\"$(sed -n '3s/,.*//p' "$TMP/attacks.csv")\""
expect_eq "posture: the new service is exposed to the Internet" \
	"$(grep '"event_type":"posture"' "$TMP/attacks.json" | grep '"new":\[[^]]*"accepts_internet_connections"' | grep -o '"mac":"[^"]*"' | sort -u)" \
	"\"mac\":\"$(sed -n '10s/,.*//p' "$TMP/attacks.csv")\""
# The plug asks pool.ntp.org for the time every hour (tests/gen/gen-benign.c:
# HOUR_MS, up to 10 s late): its baseline knows that beacon.
plug_ntp=$(grep '"mac":"50:c7:bf:8e:12:34"' "$TMP/inventory.json" |
	grep -o '{"endpoint":"pool.ntp.org","period_s":[0-9.]*' | sed 's/.*://')
expect_eq "inventory: the plug's hourly NTP beacon" \
	"$(awk -v p="$plug_ntp" 'BEGIN { print (p >= 3590 && p <= 3610) ? "hourly" : p }')" hourly
"$EDGEWATCH_EVAL" --labels "$TMP/attacks.csv" --tolerance 120 \
	--require-detected --max-latency 60 --max-median 10 --max-false-per-100dd 0 \
	--events "$TMP/attacks.json" >"$TMP/eval.out" 2>"$TMP/eval.err"
rc=$?
expect_eq "attacks: detected within 60 s, median under 10 s, no false alert" "$rc" 0
[ "$rc" -eq 0 ] || cat "$TMP/eval.out" "$TMP/eval.err" >&2
expect_eq "attacks: summary" "$(grep '^detected:' "$TMP/eval.out")" "detected: 9 of 9"
# The camera's telnet to one host (telnet_bruteforce, the 2nd label): an alert
# naming the rule, the device and the flow as the generator wrote it.
telnet=$(grep '"rule":"iot-telnet-outbound"' "$TMP/attacks.json" | grep '"status":"opened"' | tail -n 1)
expect_eq "telnet alert: device" "$(echo "$telnet" | grep -o '"mac":"[^"]*"')" \
	"\"mac\":\"$(sed -n '3s/,.*//p' "$TMP/attacks.csv")\""
expect_eq "telnet alert: flow from the camera to tcp/23" \
	"$(echo "$telnet" | grep -o '"flow":{[^}]*}' | sed 's/"src_port":[0-9]*,//; s/"dest_ip":"[^"]*",//')" \
	"\"flow\":{\"proto\":\"TCP\",\"src_ip\":$(echo "$telnet" | sed 's/.*"addresses":\["\([^"]*\)".*/"\1"/'),\"dest_port\":23}"

# detection.threshold_percent: 200 doubles every score threshold of the
# model: each anomaly says threshold 12 (6 x 2), scores at least 12, and a
# severity from the doubled bands (medium 12, high 24, critical 48); fewer
# anomalies than with the model's own thresholds, and still some (the scan
# is tens of spreads out).
printf 'detection:\n  threshold_percent: 200\n' > "$TMP/t200.yaml"
# shellcheck disable=SC2086 # $SHIPPED is a list of words
"$EDGEWATCH" -q -r "$TMP/attacks.pcap" -c "$TMP/t200.yaml" $SHIPPED -o "$TMP/t200.json"
expect_eq "threshold_percent 200: exit status" "$?" 0
# Reports (opened and updated incidents; a closing one carries no threshold).
reports() {
	grep '"event_type":"anomaly"' "$1" |
		sed -n 's/.*"anomaly":{"score":\([0-9.e+]*\),"threshold":\([0-9.]*\),"severity":"\([a-z]*\)".*/\1 \2 \3/p'
}
reports "$TMP/t200.json" > "$TMP/t200.txt"
n200=$(lines "$TMP/t200.txt")
reports "$TMP/attacks.json" > "$TMP/t100.txt"
n100=$(lines "$TMP/t100.txt")
expect_eq "threshold_percent 200: fewer anomalies, but some" \
	"$(awk -v a="$n200" -v b="$n100" 'BEGIN { print (a > 0 && a < b) ? "yes" : a " of " b }')" yes
expect_eq "threshold_percent 200: thresholds and severities from the doubled bands" \
	"$(awk '$2 != 12 || $1 < 12 || ($1 < 24 ? "medium" : $1 < 48 ? "high" : "critical") != $3' "$TMP/t200.txt")" ""

# ---------------------------------------------------------------- 2
# A short stand-in for the day of learning: 30 min of learning in 60 s bins,
# novelty settled after 10 bins.
mkdir -p "$TMP/models"
sed 's/^  learn: .*/  learn: 1800/' "$EW_SRCDIR/models/scoring.yaml" > "$TMP/models/scoring.yaml"
sed -i 's/^    settle: .*/    settle: 10/' "$TMP/models/scoring.yaml"
cp "$EW_SRCDIR/models/classes.yaml" "$TMP/models/"
FAST="--rules $EW_SRCDIR/rules/devices.yaml --detections $EW_SRCDIR/rules/detections.yaml"
FAST="$FAST --models $TMP/models"

"$PCAPGEN" benign --duration 3600 --seed 5 -o "$TMP/clean.pcap" 2>/dev/null
"$PCAPGEN" attacks --warmup 60 --attack udp_flood --seed 5 -o "$TMP/flood.pcap" \
	--labels "$TMP/flood.csv" 2>/dev/null
mkdir -p "$TMP/state"
# shellcheck disable=SC2086
"$EDGEWATCH" -q -r "$TMP/clean.pcap" --learn --state "$TMP/state" $FAST -o "$TMP/learn.json"
expect_eq "--learn exit status" "$?" 0
expect_eq "--learn writes no anomaly" "$(grep -c '"event_type":"anomaly"' "$TMP/learn.json")" 0
expect_eq "--learn saves the baselines" "$(test -s "$TMP/state/baselines.state" && echo yes)" yes

flood_mac=$(sed -n '2s/,.*//p' "$TMP/flood.csv")
# shellcheck disable=SC2086
"$EDGEWATCH" -q -r "$TMP/flood.pcap" --state "$TMP/state" $FAST -o "$TMP/after.json"
expect_eq "with the learned state: the flood's first anomaly is judged on the baseline" \
	"$(grep '"event_type":"anomaly"' "$TMP/after.json" | grep "\"mac\":\"$flood_mac\"" |
		grep -m1 '"status":"opened"' | grep -o '"phase":"[a-z]*"')" '"phase":"detecting"'
# shellcheck disable=SC2086
"$EDGEWATCH" -q -r "$TMP/flood.pcap" $FAST -o "$TMP/fresh.json"
expect_eq "without it: judged on the class priors while learning" \
	"$(grep '"event_type":"anomaly"' "$TMP/fresh.json" | grep "\"mac\":\"$flood_mac\"" |
		grep -m1 '"status":"opened"' | grep -o '"phase":"[a-z]*"')" '"phase":"learning"'

# ---------------------------------------------------------------- 3
printf 'EWBASEL\0garbage' > "$TMP/state/baselines.state"
# shellcheck disable=SC2086
"$EDGEWATCH" -r "$TMP/flood.pcap" --state "$TMP/state" $FAST -o /dev/null 2>"$TMP/err"
expect_eq "damaged baselines: the run goes on" "$?" 0
expect_eq "damaged baselines: one line says so" \
	"$(grep -c "baselines damaged, devices learn again: $TMP/state/baselines.state: not an edgewatch baseline file; set aside as $TMP/state/baselines.state.corrupt" "$TMP/err")" 1
expect_eq "damaged baselines: set aside" "$(test -f "$TMP/state/baselines.state.corrupt" && echo yes)" yes
expect_eq "damaged baselines: written anew at the end" \
	"$(test -s "$TMP/state/baselines.state" && echo yes)" yes

finish
