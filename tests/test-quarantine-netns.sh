#!/bin/sh
# test-quarantine-netns.sh - the whole loop in network namespaces made
# here: an attack replayed on the sensor's interface leads to a signed
# quarantine request, the enforcer on the router applies it and the
# device's real traffic stops; a release lets it through again.
#
#   dev    (ewq-d0: the camera's MAC 44:19:b6:3a:7c:01, 192.168.1.20/24)
#   router (ewq-r0: 192.168.1.1/24, ewq-r1: 10.98.2.1/24, forwarding;
#           ewq-m1: the mirror port edgewatch captures; edgewatch-enforcer)
#   srv    (ewq-s0: 10.98.2.2/24, a redis-server on 6390 standing for the
#           Internet)
#
# The generated capture's Mirai-style scan comes from that camera; it is
# replayed by tcpreplay into ewq-m0, the other end of the mirror port.
# Only the Mirai rule may request quarantine here (quarantine.causes), so
# the request is about the scanner and nothing else.
#
# Then restrict: edgewatch first learns (--learn, on the router's own port)
# while the camera talks to the server on 6390 only; a second sensor run
# with quarantine.action restrict and that state sees the same scan, and
# its request keeps exactly that destination open: the camera still
# reaches 6390 and no longer reaches a second server on 6391.  Skipped,
# with the reason, without root, ip, nft, tcpreplay or redis-server.
. "${EW_SRCDIR:?}/tests/lib.sh"

why=
[ "$(id -u)" -eq 0 ] || why="not root"
for tool in ip tcpreplay redis-server redis-cli; do
	[ -n "$why" ] || command -v "$tool" >/dev/null 2>&1 || why="$tool not found"
done
[ -n "$why" ] || [ -x /usr/sbin/nft ] || why="no /usr/sbin/nft"
[ -z "$why" ] || { skip "$why"; finish; }
BIN=$(dirname "$EDGEWATCH")
ND=ewq-dev$$ NR=ewq-rt$$ NS=ewq-srv$$
SOCK="$TMP/r.sock"
CAMERA=44:19:b6:3a:7c:01

cleanup() {
	for pid in ${EW_PID:-} ${ENF_PID:-} ${REDIS_PID:-}; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for f in "$TMP/srv.pid" "$TMP/srv2.pid"; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	ip netns exec "$NR" nft delete table inet edgewatch 2>/dev/null
	for n in "$ND" "$NR" "$NS"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$ND" 2>/dev/null || { skip "cannot create network namespaces here"; finish; }
ip netns add "$NR" && ip netns add "$NS" || { fail "ip netns add"; finish; }
ip netns exec "$NR" nft list ruleset >/dev/null 2>&1 || { skip "nft does not work in a namespace"; finish; }

set -e
ip link add ewq-d0 netns "$ND" address $CAMERA type veth peer name ewq-r0 netns "$NR"
ip link add ewq-r1 netns "$NR" type veth peer name ewq-s0 netns "$NS"
ip link add ewq-m0 netns "$NR" type veth peer name ewq-m1 netns "$NR"
ip -n "$ND" addr add 192.168.1.20/24 dev ewq-d0
ip -n "$NR" addr add 192.168.1.1/24 dev ewq-r0
ip -n "$NR" addr add 10.98.2.1/24 dev ewq-r1
ip -n "$NS" addr add 10.98.2.2/24 dev ewq-s0
for l in "$ND ewq-d0" "$NR ewq-r0" "$NR ewq-r1" "$NR ewq-m0" "$NR ewq-m1" "$NS ewq-s0"; do
	set -- $l
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
ip -n "$ND" route add default via 192.168.1.1
ip -n "$NS" route add default via 10.98.2.1
ip netns exec "$NR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1
set +e

ip netns exec "$NS" redis-server --port 6390 --bind 10.98.2.2 --protected-mode no --save '' \
	--appendonly no --dir "$TMP" --daemonize yes --pidfile "$TMP/srv.pid" \
	--logfile "$TMP/srv.log" >/dev/null || fail "redis-server in srv"
ip netns exec "$NS" redis-server --port 6391 --bind 10.98.2.2 --protected-mode no --save '' \
	--appendonly no --dir "$TMP" --daemonize yes --pidfile "$TMP/srv2.pid" \
	--logfile "$TMP/srv2.log" >/dev/null || fail "second redis-server in srv"
# reaches [PORT]: the camera gets an answer from the server on PORT (6390).
reaches() {
	[ "$(ip netns exec "$ND" timeout 2 redis-cli -h 10.98.2.2 -p "${1:-6390}" PING 2>/dev/null)" = PONG ]
}
# wait_for yes|no WHAT [PORT]: polls for up to 10 s.
wait_for() {
	i=0
	while [ $i -lt 20 ]; do
		if reaches "${3:-6390}"; then r=yes; else r=no; fi
		[ "$r" = "$1" ] && { pass "$2"; return 0; }
		sleep 0.5
		i=$((i + 1))
	done
	fail "$2: the camera reaches the server = $r after 10 s"
}

# The message bus, shared through the file system by every namespace.
redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' --appendonly no \
	--daemonize no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
i=0
until [ "$(redis-cli -s "$SOCK" PING 2>/dev/null)" = PONG ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done

printf 'netns-test-key-0123456789abcdefghijklmnop\n' > "$TMP/key"
chmod 600 "$TMP/key"
ip netns exec "$NR" "$BIN/edgewatch-enforcer" --redis "unix://$SOCK" --key-file "$TMP/key" \
	--consumer router -q 2>"$TMP/enforcer.log" &
ENF_PID=$!
i=0
until [ "$(redis-cli -s "$SOCK" XINFO GROUPS edgewatch:quarantine 2>/dev/null | sed -n 2p)" = \
	edgewatch-enforcers ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done

cat > "$TMP/edgewatch.yaml" <<EOF
output:
  redis:
    url: "unix://$SOCK"
quarantine:
  enabled: true
  dry_run: false
  key_file: "$TMP/key"
  sensor_id: netns-sensor
  min_severity: high
  causes: [mirai-syn-seq]
  ttl: 600
EOF
ip netns exec "$NR" "$EDGEWATCH" -i ewq-m1 -c "$TMP/edgewatch.yaml" \
	--rules "$EW_SRCDIR/rules/devices.yaml" --detections "$EW_SRCDIR/rules/detections.yaml" \
	--models "$EW_SRCDIR/models" -o "$TMP/events.json" 2>"$TMP/edgewatch.err" &
EW_PID=$!
i=0
while ! grep -qs "capturing on ewq-m1" "$TMP/edgewatch.err" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

wait_for yes "the camera reaches the server before the attack"
"$PCAPGEN" attacks --warmup 60 --gap 60 --attack mirai_scan --seed 2 -o "$TMP/attack.pcap" \
	--labels "$TMP/labels.csv" 2>/dev/null
expect_eq "the generator's scanner is the camera" "$(sed -n '2s/,.*//p' "$TMP/labels.csv")" $CAMERA
ip netns exec "$NR" tcpreplay -q -i ewq-m0 --pps 5000 "$TMP/attack.pcap" >/dev/null 2>&1
wait_for no "after the replayed scan, the router cuts the camera off"
expect_eq "one request, for the camera" \
	"$(redis-cli -s "$SOCK" --raw XRANGE edgewatch:quarantine - + | awk 'prev == "mac" { print } { prev = $0 }' | sort -u)" \
	$CAMERA
expect_eq "the enforcer applied it" \
	"$(redis-cli -s "$SOCK" --raw XRANGE edgewatch:enforcement - + | awk 'prev == "outcome" { print } { prev = $0 }')" \
	applied

# The sensor reads the enforcer's report back: a quarantine event says the
# request (the one in the stream) was applied, and by whom.
req_id=$(redis-cli -s "$SOCK" --raw XRANGE edgewatch:quarantine - + | awk 'prev == "request_id" { print } { prev = $0 }' | head -n 1)
i=0
until grep -qs '"decision":"enforcement"' "$TMP/events.json" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "the sensor reads the enforcer's report back" \
	"$(grep '"decision":"enforcement"' "$TMP/events.json" | sed -n 's/.*"request_id":"\([0-9a-f]*\)".*"outcome":"\([a-z]*\)".*"enforcer_id":"\([^"]*\)".*/\1 \2 \3/p' | head -n 1)" \
	"$req_id applied router"

"$BIN/edgewatch-ctl" --redis "unix://$SOCK" quarantine release $CAMERA --key-file "$TMP/key" \
	--sensor-id operator >/dev/null 2>"$TMP/ctl.err" || fail "edgewatch-ctl release: $(cat "$TMP/ctl.err")"
wait_for yes "after a release, the camera reaches the server again"

# Hostile reports on the stream are counted and change nothing: an outcome
# outside the contract and an enforcer id with a space, both naming our
# request.  The sensor reads them within about a second; a stats event on
# SIGUSR1 shows the count.
redis-cli -s "$SOCK" XADD edgewatch:enforcement '*' request_id "$req_id" enforcer_id router \
	outcome bogus detail '' at_us 1 >/dev/null
redis-cli -s "$SOCK" XADD edgewatch:enforcement '*' request_id "$req_id" enforcer_id 'rou ter' \
	outcome applied detail '' at_us 1 >/dev/null
i=0
until grep '"event_type":"stats"' "$TMP/events.json" | tail -n 1 | grep -q '"malformed":2' ||
	[ $i -ge 50 ]; do
	kill -USR1 "$EW_PID"
	sleep 0.2
	i=$((i + 1))
done

kill -TERM "$EW_PID"
wait "$EW_PID"
expect_eq "edgewatch: SIGTERM ends it with status 0" "$?" 0
EW_PID=
# The incident that asked for the quarantine says, as it closes, how it went.
expect_eq "the closing incident carries the enforcement outcome" \
	"$(grep '"cause":"mirai-syn-seq"' "$TMP/events.json" | grep '"status":"closed"' | grep -o '"enforcement":{[^}]*}' | head -n 1)" \
	'"enforcement":{"outcome":"applied","enforcer_id":"router"}'
# Its exit stats: one report about its own request (the release by hand is
# edgewatch-ctl's, not its own), and the two hostile ones as malformed.
expect_eq "stats: enforcement reports read back" \
	"$(grep '"event_type":"stats"' "$TMP/events.json" | tail -n 1 | grep -o '"enforcement":{"reports":[0-9]*,"unmatched":[0-9]*,"malformed":[0-9]*' | sed 's/"unmatched":[0-9]*,//')" \
	'"enforcement":{"reports":1,"malformed":2'
expect_eq "the hostile reports made no event" \
	"$(grep -c '"decision":"enforcement"' "$TMP/events.json")" 1

# stop_sensor WHAT ERRFILE: SIGTERM to the running sensor, which must end with status 0.
stop_sensor() {
	kill -TERM "$EW_PID"
	wait "$EW_PID"
	st=$?
	expect_eq "$1: SIGTERM ends it with status 0" "$st" 0
	[ "$st" -eq 0 ] || sed "s/^/  $1: /" "$2"
	EW_PID=
}
# wait_capturing IFACE ERRFILE: until the sensor says it captures (10 s at most).
wait_capturing() {
	i=0
	while ! grep -qs "capturing on $1" "$2" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

# --- restrict: learn what the camera does, then keep only that open. ---
# The sensor drops root for an unprivileged user, which must reach its state directory.
chmod 0755 "$TMP"
mkdir "$TMP/state"
ip netns exec "$NR" "$EDGEWATCH" -i ewq-r0 --learn --state "$TMP/state" -o /dev/null \
	--models "$EW_SRCDIR/models" 2>"$TMP/learn.err" &
EW_PID=$!
wait_capturing ewq-r0 "$TMP/learn.err"
n=0
for k in 1 2 3 4 5; do reaches 6390 && n=$((n + 1)); done
expect_eq "learning: the camera's five exchanges with 6390" $n 5
stop_sensor "edgewatch --learn" "$TMP/learn.err"
[ -s "$TMP/state/baselines.state" ] || fail "--learn saved no baselines"

sed 's/^  ttl: 600$/  ttl: 600\n  action: restrict/' "$TMP/edgewatch.yaml" > "$TMP/restrict.yaml"
grep -q "action: restrict" "$TMP/restrict.yaml" || fail "restrict.yaml"
ip netns exec "$NR" "$EDGEWATCH" -i ewq-m1 -c "$TMP/restrict.yaml" --state "$TMP/state" \
	--rules "$EW_SRCDIR/rules/devices.yaml" --detections "$EW_SRCDIR/rules/detections.yaml" \
	--models "$EW_SRCDIR/models" -o "$TMP/events2.json" 2>"$TMP/edgewatch2.err" &
EW_PID=$!
wait_capturing ewq-m1 "$TMP/edgewatch2.err"
wait_for yes "before the second scan, the camera reaches 6391" 6391
ip netns exec "$NR" tcpreplay -q -i ewq-m0 --pps 5000 "$TMP/attack.pcap" >/dev/null 2>&1
wait_for no "restrict: the camera no longer reaches 6391, outside its baseline" 6391
wait_for yes "restrict: the camera still reaches 6390, its baseline destination" 6390
last_field() { # FIELD: of the newest edgewatch:quarantine entry
	redis-cli -s "$SOCK" --raw XREVRANGE edgewatch:quarantine + - COUNT 1 |
		awk -v f="$1" 'prev == f { print } { prev = $0 }'
}
expect_eq "the request is a restrict" "$(last_field action)" restrict
expect_eq "its allow list is what the camera did while learning" "$(last_field allow)" \
	tcp/10.98.2.2/6390
expect_eq "the enforcer applied it" \
	"$(redis-cli -s "$SOCK" --raw XREVRANGE edgewatch:enforcement + - COUNT 1 | awk 'prev == "outcome" { print } { prev = $0 }')" \
	applied
stop_sensor "edgewatch (restrict)" "$TMP/edgewatch2.err"
finish
