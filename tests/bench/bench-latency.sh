#!/bin/sh
# bench-latency.sh - how long an alert takes to reach Redis, and how long a
# quarantine request takes to be applied by the enforcement point.
#
# A network namespace with a veth pair made here, as in tests/test-live.sh:
# tcpreplay sends a generated attack capture (a Mirai-style scan from the
# camera, ARP spoofing from the printer, after ten minutes of ordinary
# traffic) into one end while `edgewatch -i` captures the other, with the
# shipped rules and models, Redis output to a redis-server on a temporary
# unix socket, and quarantine on.  `edgewatch-enforcer --dry-run` (verify
# and report, change nothing) reads the requests through its consumer
# group as it would in production (blocking XREADGROUP, not --once).
#
# Measured, once the replay is over and the streams have settled:
#   packet -> XADD      for each entry of edgewatch:alerts, the entry id's
#                       millisecond time minus the event's "timestamp": the
#                       time the kernel stamped the packet that raised it
#                       (live, that is the wall clock: tcpreplay's copy of
#                       the capture's own times is not used);
#   packet -> XADD (requests)
#                       for each entry of edgewatch:quarantine, the entry
#                       id's time minus its issued_us (packet time too);
#   XADD -> enforced    for each request, the entry id time of the first
#                       report about it on edgewatch:enforcement minus the
#                       request's entry id time.
# Redis entry ids are the server's clock in whole milliseconds, rounded
# down: a figure is up to 1 ms low (packet -> XADD can even read -0.x ms),
# and XADD -> enforced is exact to +-1 ms.  All three clocks are the one
# CLOCK_REALTIME of this machine, so no clock offset enters.
#
# Replay speed: the capture covers 2,045 s; --pps 2000 (the default) sends
# its 27,031 packets evenly in about 14 s, and MULTIPLIER=N replays it N
# times faster keeping its gaps (bursts stay bursts).  Either way packet
# times are the times of arrival here, so the sensor sees the capture
# compressed: a minute bin of the behavioural model holds N minutes of the
# original traffic at MULTIPLIER=N, about 150 at --pps 2000 (which also
# spaces packets evenly), rates look that many times higher, and the
# anomalies raised are not those of reading the file (-r).  The rule alerts
# (mirai-syn-seq, arp-spoof) do not depend on timing.  What is measured is
# the delivery path of whatever is raised, which replay speed changes
# through the load on the sensor and how soon a capture block fills.
#
# usage: tests/bench/bench-latency.sh [BUILD_DIR]   (root, iproute2, tcpreplay,
#        redis-server, redis-cli, capinfos)
# environment: PPS (2000), MULTIPLIER (replaces --pps), IMMEDIATE=1 (edgewatch
#        --immediate: no libpcap delivery timeout), SEED (1), KEEP=DIR (copy
#        the streams and logs there), ATTACKS ("mirai_scan arp_spoof": more
#        of ew-pcapgen's attacks give more alerts to measure)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
PPS=${PPS:-2000}
MULTIPLIER=${MULTIPLIER:-}
IMMEDIATE=${IMMEDIATE:-0}
SEED=${SEED:-1}
ATTACKS=${ATTACKS:-"mirai_scan arp_spoof"}
SETTLE_S=${SETTLE_S:-10} # longest wait for the streams to settle after the replay

[ "$(id -u)" -eq 0 ] || { echo "bench-latency.sh needs root (network namespaces)" >&2; exit 1; }
for tool in ip tcpreplay redis-server redis-cli capinfos; do
	command -v "$tool" >/dev/null || { echo "bench-latency.sh: $tool not found" >&2; exit 1; }
done
for prog in src/edgewatch src/edgewatch-enforcer tests/gen/ew-pcapgen; do
	[ -x "$build/$prog" ] || make -C "$build" "$prog" >/dev/null
done

# A short directory name: the socket path must fit in 107 bytes.
tmp=$(mktemp -d /tmp/ewlat.XXXXXX)
ns=ewlat$$
sock="$tmp/r.sock"
redis_pid='' ew_pid='' enf_pid=''
cleanup() {
	# Each process by its own id: never by name.
	for p in $ew_pid $enf_pid $redis_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $ew_pid $enf_pid $redis_pid; do
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rcli() { redis-cli -s "$sock" "$@"; }

# --- the capture
attack_args=''
for a in $ATTACKS; do
	attack_args="$attack_args --attack $a"
done
# shellcheck disable=SC2086 # $attack_args is a list of words
"$build/tests/gen/ew-pcapgen" attacks --warmup 600 $attack_args \
	--seed "$SEED" -o "$tmp/attacks.pcap" --labels "$tmp/labels.csv" 2>/dev/null
packets=$(capinfos -c -M "$tmp/attacks.pcap" 2>/dev/null | sed -n 's/^Number of packets: *//p')

# --- Redis, with the enforcer's group made first (it then sees every request)
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' --appendonly no \
	--daemonize no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
redis_pid=$!
n=0
until [ "$(rcli PING 2>/dev/null)" = PONG ]; do
	n=$((n + 1))
	[ $n -lt 200 ] || { echo "redis-server did not start" >&2; exit 1; }
	sleep 0.05
done
rcli XGROUP CREATE edgewatch:quarantine edgewatch-enforcers '$' MKSTREAM >/dev/null

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/key"
chmod 600 "$tmp/key"
"$build/src/edgewatch-enforcer" --redis "unix://$sock" --key-file "$tmp/key" --dry-run \
	--consumer bench 2>"$tmp/enforcer.err" &
enf_pid=$!

cat > "$tmp/edgewatch.yaml" <<EOF
output:
  redis:
    url: "unix://$sock"
quarantine:
  enabled: true
  dry_run: false
  key_file: "$tmp/key"
  sensor_id: bench-sensor
  causes: [anomaly, mirai-syn-seq, arp-spoof]
  allow: ["class:router"]
EOF

# --- the namespace and the sensor
ip netns add "$ns"
ip -n "$ns" link add vrep type veth peer name vsen
ip -n "$ns" link set vrep up
ip -n "$ns" link set vsen up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.vrep.disable_ipv6=1 \
	net.ipv6.conf.vsen.disable_ipv6=1
imm=''
[ "$IMMEDIATE" = 1 ] && imm=--immediate
# shellcheck disable=SC2086 # $imm is empty or one word
ip netns exec "$ns" "$build/src/edgewatch" -i vsen $imm --redis "unix://$sock" \
	-c "$tmp/edgewatch.yaml" --rules "$top/rules/devices.yaml" \
	--detections "$top/rules/detections.yaml" --models "$top/models" \
	-o "$tmp/events.json" 2>"$tmp/edgewatch.err" &
ew_pid=$!
n=0
until grep -q "capturing on vsen" "$tmp/edgewatch.err" 2>/dev/null; do
	n=$((n + 1))
	if ! kill -0 "$ew_pid" 2>/dev/null || [ $n -ge 100 ]; then
		echo "edgewatch did not start:" >&2
		cat "$tmp/edgewatch.err" >&2
		exit 1
	fi
	sleep 0.1
done

if [ -n "$MULTIPLIER" ]; then
	speed="--multiplier $MULTIPLIER"
else
	speed="--pps $PPS"
fi
# shellcheck disable=SC2086 # $speed is two words
ip netns exec "$ns" tcpreplay -q -i vrep $speed "$tmp/attacks.pcap" >"$tmp/replay.txt" 2>&1

# --- settle: nothing new on the alert stream for a second, and every request
# answered by the enforcer (or SETTLE_S seconds)
last=-1 same=0 waited=0
while [ $waited -lt $((SETTLE_S * 5)) ]; do
	sleep 0.2
	waited=$((waited + 1))
	now=$(rcli XLEN edgewatch:alerts)
	if [ "$now" = "$last" ] && [ "$(rcli XLEN edgewatch:quarantine)" -le \
		"$(rcli XLEN edgewatch:enforcement)" ]; then
		same=$((same + 1))
		[ $same -lt 5 ] || break
	else
		same=0
	fi
	last=$now
done

# The streams are read before edgewatch stops: what it writes when it shuts
# down (incidents closed at exit) is not an alert raised by a packet.
# One row per entry: the id's milliseconds, then the named fields' values,
# tab-separated.  LAST is the entry's last field (every entry has a fixed
# field order, docs/redis.md).
stream_rows() {
	stream=$1 lastf=$2
	shift 2
	rcli --raw XRANGE "$stream" - + | awk -v lastf="$lastf" -v want="$*" '
		BEGIN { nw = split(want, w, " ") }
		state == 0 { split($0, p, "-"); ms = p[1]; state = 1; next }
		state == 1 { k = $0; state = 2; next }
		state == 2 {
			v[k] = $0
			state = 1
			if (k != lastf)
				next
			row = ms
			for (i = 1; i <= nw; i++)
				row = row "\t" v[w[i]]
			print row
			split("", v)
			state = 0
		}'
}
stream_rows edgewatch:alerts event type event > "$tmp/alerts.rows"
stream_rows edgewatch:quarantine sig request_id action issued_us > "$tmp/requests.rows"
stream_rows edgewatch:enforcement at_us request_id outcome > "$tmp/reports.rows"

kill -TERM "$ew_pid"
wait "$ew_pid" || true
ew_pid=''

# Packet time "YYYY-MM-DDTHH:MM:SS.uuuuuu+0000" (UTC, always this form:
# util-time.c) to Unix milliseconds.  Days from the civil date by the usual
# era arithmetic (400-year eras of 146097 days, March-based years).
ts_ms_awk='
function ts_ms(s,   y, m, d, era, yoe, doy, doe, days) {
	y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	if (m <= 2)
		y--
	era = int(y / 400)
	yoe = y - era * 400
	doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	days = era * 146097 + doe - 719468
	return ((days * 24 + substr(s, 12, 2)) * 60 + substr(s, 15, 2)) * 60000 + \
		substr(s, 18, 2) * 1000 + substr(s, 21, 6) / 1000
}'
# The conversion checked against date(1) on a date before March and one after.
for probe in 2024-02-29T23:59:58.250000+0000 2026-11-21T07:05:09.000001+0000; do
	usec=$(echo "$probe" | cut -c21-26 | sed 's/^0*//')
	want=$(($(date -u -d "$(echo "$probe" | cut -c1-19)" +%s) * 1000 + ${usec:-0} / 1000))
	got=$(echo "$probe" | awk "$ts_ms_awk"' { printf "%.0f", int(ts_ms($0)) }')
	[ "$got" -eq "$want" ] ||
		{ echo "timestamp conversion wrong: $probe -> $got, date says $want" >&2; exit 1; }
done

# n, median, p95 (nearest rank: the ceil(0.95 n)-th smallest), max of the
# values on standard input, in ms.
summary() {
	sort -g | awk -v what="$1" '
		{ v[++n] = $1 }
		END {
			if (n == 0) { printf "%-26s n=0\n", what; exit }
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.95 * n); if (r < 0.95 * n) r++
			printf "%-26s n=%-4d median %8.1f ms  p95 %8.1f ms  max %8.1f ms\n", \
				what, n, med, v[r], v[n]
		}'
}

awk -F '\t' "$ts_ms_awk"'
	match($3, /^\{"timestamp":"[^"]*"/) { print $1 - ts_ms(substr($3, 15, 26)) }' \
	"$tmp/alerts.rows" > "$tmp/lat-xadd"
awk -F '\t' '{ print $1 - $4 / 1000 }' "$tmp/requests.rows" > "$tmp/lat-request"
# The first report about each request (a later one may say it expired).
awk -F '\t' 'NR == FNR { if (!($2 in rep)) rep[$2] = $1; next }
	$2 in rep { print rep[$2] - $1 }' "$tmp/reports.rows" "$tmp/requests.rows" \
	> "$tmp/lat-enforce"

sent=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$tmp/replay.txt")
got=$(sed -n 's/.*read, 0 failed; \([0-9]*\) packets.*/\1/p' "$tmp/edgewatch.err")
drop=$(sed -n 's/.*received, \([0-9]*\) dropped by the kernel.*/\1/p' "$tmp/edgewatch.err")
model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
echo "machine: $(nproc) cores, ${model:-unknown CPU}; $(uname -sr); $(redis-server --version | cut -d' ' -f1-3)"
echo "replay: $packets packets, $speed (sent at ${sent:-?} pps); edgewatch ${imm:-without --immediate}: read ${got:-?}, kernel dropped ${drop:-?}"
echo "entries: $(wc -l < "$tmp/alerts.rows") alerts/anomalies ($(cut -f2 "$tmp/alerts.rows" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')), $(wc -l < "$tmp/requests.rows") requests, outcomes: $(cut -f3 "$tmp/reports.rows" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"
summary "packet -> XADD (alerts)" < "$tmp/lat-xadd"
summary "packet -> XADD (requests)" < "$tmp/lat-request"
summary "XADD -> enforced" < "$tmp/lat-enforce"
if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP"
	cp "$tmp"/*.rows "$tmp"/lat-* "$tmp"/*.err "$tmp/replay.txt" "$tmp/events.json" "$KEEP"/
fi
