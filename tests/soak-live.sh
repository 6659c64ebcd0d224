#!/bin/sh
# soak-live.sh - a long live run: memory must stay flat.  Not in make check.
#
# Generates a benign home capture (ew-pcapgen benign: one home for
# SIM_S simulated seconds), replays it in a loop into a veth pair in a
# network namespace made here, for DURATION seconds, while edgewatch
# captures the other end with a stats event every 10 s.  The sensor's RSS
# (VmRSS) is sampled every 10 s into a CSV (seconds,rss_kb); at the end
# min/max/last are printed with the kernel drops from the last stats event.
#
# Usage: tests/soak-live.sh [DURATION_S [CSV]]   (defaults 3600, ./soak-rss.csv)
# Needs root, iproute2 and tcpreplay; EDGEWATCH, PCAPGEN and EW_SRCDIR as
# make check sets them (or the build tree's defaults below).
set -u
DURATION=${1:-3600}
CSV=${2:-soak-rss.csv}
SIM_S=${SIM_S:-21600}
PPS=${PPS:-5000}
EDGEWATCH=${EDGEWATCH:-./src/edgewatch}
PCAPGEN=${PCAPGEN:-./tests/gen/ew-pcapgen}

[ "$(id -u)" -eq 0 ] || { echo "soak-live: needs root (network namespace)" >&2; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "soak-live: ip (iproute2) not found" >&2; exit 77; }
command -v tcpreplay >/dev/null 2>&1 || { echo "soak-live: tcpreplay not found" >&2; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ewsoak.XXXXXX")
ns=ewsoak$$
pid=
replay=
cleanup() {
	[ -n "$replay" ] && kill "$replay" 2>/dev/null
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$ns" || exit 1
ip -n "$ns" link add vrep type veth peer name vsen
ip -n "$ns" link set vrep up
ip -n "$ns" link set vsen up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

"$PCAPGEN" benign -o "$TMP/benign.pcap" --duration "$SIM_S" >/dev/null || exit 1
chmod 0755 "$TMP"
mkdir "$TMP/state"
printf 'stats:\n  interval: 10\ndaemon:\n  user: nobody\n' > "$TMP/conf.yaml"
chmod 0644 "$TMP/conf.yaml"
ip netns exec "$ns" "$EDGEWATCH" -i vsen -c "$TMP/conf.yaml" --state "$TMP/state" \
	-o /dev/null 2>"$TMP/err" &
pid=$!
sleep 1
kill -0 "$pid" 2>/dev/null || { cat "$TMP/err" >&2; exit 1; }
# tcpreplay --loop 0 replays for ever; its timestamps restart each loop and
# the sensor's clock only moves forward, which is what a long run needs.
ip netns exec "$ns" tcpreplay -q -i vrep --pps "$PPS" --loop 0 "$TMP/benign.pcap" \
	>/dev/null 2>&1 &
replay=$!

echo "seconds,rss_kb" > "$CSV"
t=0
while [ "$t" -le "$DURATION" ]; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -n "$rss" ] || { echo "soak-live: edgewatch ended early" >&2; cat "$TMP/err" >&2; exit 1; }
	echo "$t,$rss" >> "$CSV"
	sleep 10
	t=$((t + 10))
done
kill "$replay" 2>/dev/null
replay=
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
awk -F, 'NR > 1 { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; last = $2 }
	END { printf "rss_kb: min %d, max %d, last %d (%d samples)\n", min, max, last, NR - 1 }' "$CSV"
grep -F "dropped by the kernel" "$TMP/err" | tail -n 1
echo "exit status $rc; samples in $CSV"
[ "$rc" -eq 0 ]
