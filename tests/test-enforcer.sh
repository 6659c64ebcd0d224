#!/bin/sh
# test-enforcer.sh - edgewatch-enforcer against a real redis-server.
#
# Part 1 (any user; skipped without redis-server): signed requests go into
# the request stream, the enforcer runs once in dry-run mode (it changes no
# firewall), and the enforcement stream must say, request by request:
# applied for the good one, rejected with the right reason for a tampered,
# an expired, a stale, an unsigned, a malformed and a replayed one.
#
# Part 2 (root with ip netns and nft; skipped otherwise, with the reason):
# three network namespaces made here - dev (10.99.1.2), router (10.99.1.1 /
# 10.99.2.1, forwarding on), srv (10.99.2.2) - joined by veth pairs.  The
# enforcer runs inside the router namespace (so it touches no firewall but
# that namespace's) and the test checks that dev reaches srv before an
# isolate request, not after it (except the port its allow list names),
# again after a signed release, and again after a short isolate expires; a
# replay and a tampered request change nothing and are reported as
# rejected.  "Reaches" is a TCP connection to a redis-server in srv
# (redis-cli PING): ping is not installed everywhere, redis is needed here
# anyway, and a TCP exchange shows the replies come back too.

. "$EW_SRCDIR/tests/lib.sh"

BIN=$(dirname "$EDGEWATCH")
ENFORCER="$BIN/edgewatch-enforcer"
SIGN="$BIN/../tests/sign-request"
SOCK="$TMP/redis.sock"
KEY="$TMP/key"
NS_DEV="ewdev$$"
NS_RT="ewrt$$"
NS_SRV="ewsrv$$"
ENF_PID=""
NETNS_MADE=""

cleanup() {
	if [ -n "$ENF_PID" ]; then
		kill "$ENF_PID" 2>/dev/null
		wait "$ENF_PID" 2>/dev/null
	fi
	stop_redis
	for pid in "$TMP"/*.pid; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
	done
	if [ -n "$NETNS_MADE" ]; then
		# The table lives in the router namespace and goes with it; deleted
		# first anyway in case the namespace outlives us (a process in it).
		ip netns exec "$NS_RT" nft delete table inet edgewatch 2>/dev/null
		for ns in "$NS_DEV" "$NS_RT" "$NS_SRV"; do
			ip netns del "$ns" 2>/dev/null
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v redis-server >/dev/null 2>&1 || skip "redis-server is not installed"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli is not installed"
[ -x "$ENFORCER" ] || { echo "no $ENFORCER" >&2; exit 1; }
[ -x "$SIGN" ] || { echo "no $SIGN" >&2; exit 1; }

start_redis

rcli() { redis-cli -s "$SOCK" "$@"; }

# 40 bytes of key (at least 32 are required), readable by us only.
printf 'test-key-0123456789abcdef0123456789abcdef\n' >"$KEY"
chmod 600 "$KEY"

now_us() { echo $(($(date +%s) * 1000000)); }

# xadd STREAM SIGN-ARGS...: signs a request and adds it; the command line is
# kept in $TMP/last so that it can be replayed byte for byte.
xadd() {
	stream=$1
	shift
	fields=$("$SIGN" "$KEY" "$@") || { fail "sign-request $*"; return 1; }
	printf 'XADD %s *%s\n' "$stream" "$fields" >"$TMP/last"
	rcli <"$TMP/last" >/dev/null
}

# reports STREAM: "request_id outcome detail" per report, "-" for no detail.
reports() {
	rcli XRANGE "$1" - + | awk '
		prev == "request_id" { r = $0 }
		prev == "outcome" { o = $0 }
		prev == "detail" { d = ($0 == "" ? "-" : $0); print r, o, d }
		{ prev = $0 }'
}

# ------------------------------------------------------------ part 1
Q=edgewatch:quarantine
E=edgewatch:enforcement
run_once() {
	"$ENFORCER" --redis "unix://$SOCK" --key-file "$KEY" --consumer tester --once \
		--dry-run -q 2>>"$TMP/enforcer.log"
}

# The first run makes the group at the stream's end (and the stream).
run_once || fail "first run exits $?"
expect_eq "groups on the request stream" "$(rcli XINFO GROUPS $Q | sed -n 2p)" \
	"edgewatch-enforcers"

T=$(now_us)
M=02:00:00:99:01:02
R_OK=00000000000000000000000000000001
R_TAMP=00000000000000000000000000000002
R_EXP=00000000000000000000000000000003
R_STALE=00000000000000000000000000000004
R_UNS=00000000000000000000000000000005
R_MAL=00000000000000000000000000000006
xadd $Q $R_OK isolate $M 10.99.1.2 udp/10.99.2.2/53 $T $((T + 60000000))
cp "$TMP/last" "$TMP/ok.cmd"
# Signed for 10.99.1.2, delivered for 10.99.1.9.
xadd $Q $R_TAMP isolate $M 10.99.1.2 "" $T $((T + 60000000)) addrs=10.99.1.9
# Issued 100 s ago, ended 1 s ago.
xadd $Q $R_EXP isolate $M 10.99.1.2 "" $((T - 100000000)) $((T - 1000000))
# Issued 400 s ago: past the 300 s skew although it runs for another 10 min.
xadd $Q $R_STALE isolate $M 10.99.1.2 "" $((T - 400000000)) $((T + 600000000))
xadd $Q $R_UNS isolate $M 10.99.1.2 "" $T $((T + 60000000)) sig=-
xadd $Q $R_MAL isolate $M 10.99.1.2 "" $T $((T + 60000000)) mac=02:00:00:99:01:zz
# The good request again, in a new entry: a replay.
rcli <"$TMP/ok.cmd" >/dev/null
run_once || fail "second run exits $?"

reports $E >"$TMP/got1"
cat >"$TMP/want1" <<EOF
$R_OK applied dry_run
$R_TAMP rejected bad_signature
$R_EXP rejected expired
$R_STALE rejected stale
$R_UNS rejected unsigned
$R_MAL rejected malformed
$R_OK rejected replay
EOF
if cmp -s "$TMP/got1" "$TMP/want1"; then
	pass "seven requests reported: applied, then six rejections with their reasons"
else
	fail "reports differ:"
	diff "$TMP/want1" "$TMP/got1" >&2
fi
expect_eq "entries pending after the run" "$(rcli XPENDING $Q edgewatch-enforcers | head -n 1)" 0
# Every outcome was remembered as seen in Redis for the one request that went through.
expect_eq "seen key of the applied request" "$(rcli EXISTS "$Q:seen:$R_OK")" 1
expect_eq "seen key of a rejected request" "$(rcli EXISTS "$Q:seen:$R_TAMP")" 0
# A new process knows nothing in memory: the replay is caught by the seen key.
rcli <"$TMP/ok.cmd" >/dev/null
run_once || fail "third run exits $?"
expect_eq "report of a replay to a fresh enforcer" "$(reports $E | tail -n 1)" \
	"$R_OK rejected replay"

# ------------------------------------------------------------ part 2
why=""
if [ "$(id -u)" != 0 ]; then
	why="not running as root"
elif ! command -v ip >/dev/null 2>&1; then
	why="no ip command"
elif ! [ -x /usr/sbin/nft ]; then
	why="no /usr/sbin/nft"
elif ! ip netns add "$NS_DEV" 2>/dev/null; then
	why="cannot create network namespaces here"
fi
if [ -n "$why" ]; then
	if [ "$FAILS" -ne 0 ]; then finish; fi
	skip "part 1 passed; network namespace part skipped: $why"
fi
NETNS_MADE=1
ip netns add "$NS_RT" && ip netns add "$NS_SRV" || { fail "ip netns add"; finish; }
ip netns exec "$NS_RT" nft list ruleset >/dev/null 2>&1 ||
	skip "part 1 passed; nft does not work in a new namespace here"

set -e
ip link add ewd0 netns "$NS_DEV" address $M type veth peer name ewr0 netns "$NS_RT"
ip link add ewr1 netns "$NS_RT" type veth peer name ews0 netns "$NS_SRV"
ip -n "$NS_DEV" addr add 10.99.1.2/24 dev ewd0
ip -n "$NS_RT" addr add 10.99.1.1/24 dev ewr0
ip -n "$NS_RT" addr add 10.99.2.1/24 dev ewr1
ip -n "$NS_SRV" addr add 10.99.2.2/24 dev ews0
for l in "$NS_DEV ewd0" "$NS_RT ewr0" "$NS_RT ewr1" "$NS_SRV ews0"; do
	set -- $l
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
ip -n "$NS_DEV" route add default via 10.99.1.1
ip -n "$NS_SRV" route add default via 10.99.2.1
ip netns exec "$NS_RT" sysctl -qw net.ipv4.ip_forward=1
set +e

# Two servers in srv: 6380 stands for the Internet, 6381 for the service
# the isolate request still allows.
for port in 6380 6381; do
	ip netns exec "$NS_SRV" redis-server --port $port --bind 10.99.2.2 --protected-mode no \
		--save '' --appendonly no --dir "$TMP" --daemonize yes \
		--pidfile "$TMP/srv$port.pid" --logfile "$TMP/srv$port.log" >/dev/null ||
		fail "redis-server in srv on $port"
done

# reaches [PORT]: dev opens a TCP connection to srv and gets PONG back.
reaches() {
	[ "$(ip netns exec "$NS_DEV" timeout 2 redis-cli -h 10.99.2.2 -p "${1:-6380}" PING \
		2>/dev/null)" = PONG ]
}

# wait_for yes|no WHAT: polls for up to 8 s until dev reaches srv (or not).
wait_for() {
	i=0
	while [ $i -lt 16 ]; do
		if reaches; then r=yes; else r=no; fi
		if [ "$r" = "$1" ]; then pass "$2"; return 0; fi
		sleep 0.5
		i=$((i + 1))
	done
	fail "$2: dev reaches srv = $r after 8 s"
	return 1
}

wait_for yes "dev reaches srv through the router before any request"

Q2=q2
E2=e2
ip netns exec "$NS_RT" "$ENFORCER" --redis "unix://$SOCK" --key-file "$KEY" \
	--stream $Q2 --report-stream $E2 --consumer router -f 2>>"$TMP/enforcer.log" &
ENF_PID=$!
i=0
until [ "$(rcli XINFO GROUPS $Q2 2>/dev/null | sed -n 2p)" = edgewatch-enforcers ]; do
	[ $i -lt 50 ] || { fail "the enforcer made no group"; cat "$TMP/enforcer.log" >&2; finish; }
	sleep 0.1
	i=$((i + 1))
done

T=$(now_us)
R_ISO=0000000000000000000000000000a001
R_REL=0000000000000000000000000000a002
R_SHORT=0000000000000000000000000000a003
R_TAMP2=0000000000000000000000000000a004
xadd $Q2 $R_ISO isolate $M 10.99.1.2 tcp/10.99.2.2/6381 $T $((T + 120000000))
cp "$TMP/last" "$TMP/iso.cmd"
wait_for no "dev is cut off once the isolate request is applied"
if reaches 6381; then pass "dev still reaches srv:6381, which its allow list names"; else
	fail "dev cannot reach srv:6381 although its allow list names it"; fi
expect_eq "MAC in isolated_mac" \
	"$(ip netns exec "$NS_RT" nft list set inet edgewatch isolated_mac | grep -c "$M")" 1

xadd $Q2 $R_REL release $M 10.99.1.2 "" $((T + 1000000)) $((T + 1000000))
wait_for yes "dev reaches srv again after a signed release"
expect_eq "allow_v4 after the release" \
	"$(ip netns exec "$NS_RT" nft list set inet edgewatch allow_v4 | grep -c 6381)" 0

# A replay of the isolate and a tampered isolate: nothing changes.
rcli <"$TMP/iso.cmd" >/dev/null
xadd $Q2 $R_TAMP2 isolate $M 10.99.1.2 "" $T $((T + 120000000)) expires_us=$((T + 999000000))
sleep 2
if reaches; then pass "a replayed and a tampered isolate change nothing"; else
	fail "dev cut off by a replayed or tampered request"; fi

# A 4 s isolate: cut off, then free again when nft's timeout ends.
T=$(now_us)
xadd $Q2 $R_SHORT isolate $M 10.99.1.2 "" $T $((T + 4000000))
wait_for no "dev is cut off by a 4 s isolate"
wait_for yes "dev reaches srv again once the 4 s isolate expired"
sleep 1.5 # the enforcer reports the expiry within a second of it

reports $E2 >"$TMP/got2"
cat >"$TMP/want2" <<EOF
$R_ISO applied -
$R_REL released -
$R_ISO rejected replay
$R_TAMP2 rejected bad_signature
$R_SHORT applied -
$R_SHORT expired -
EOF
if cmp -s "$TMP/got2" "$TMP/want2"; then
	pass "the router's enforcer reported applied, released, two rejections, applied, expired"
else
	fail "router reports differ:"
	diff "$TMP/want2" "$TMP/got2" >&2
fi
expect_eq "entries pending" "$(rcli XPENDING $Q2 edgewatch-enforcers | head -n 1)" 0

# It stops cleanly on SIGTERM.
kill "$ENF_PID"
wait "$ENF_PID"
expect_eq "enforcer exit status on SIGTERM" "$?" 0
ENF_PID=""

if [ "$FAILS" -ne 0 ]; then
	echo "enforcer log:" >&2
	cat "$TMP/enforcer.log" >&2
fi
finish
