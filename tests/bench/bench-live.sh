#!/bin/sh
# bench-live.sh - the highest replay rate at which a live edgewatch drops
# nothing, beside its offline rate on the same capture.
#
# A network namespace with a veth pair made here: tcpreplay sends the
# generated bench capture into one end at a fixed rate (--pps) while
# `edgewatch -i` captures the other with the shipped rules and models;
# after each run edgewatch's own summary says how many packets the kernel
# dropped.  Rates are tried from RATES (packets/s, "top" = --topspeed).
#
# usage: tests/bench/bench-live.sh [BUILD_DIR] [PACKETS]   (root, iproute2, tcpreplay)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
packets=${2:-500000}
RATES=${RATES:-"25000 50000 100000 200000 top"}
out=${BENCH_DIR:-$top/tests/bench/out}
mkdir -p "$out"
[ "$(id -u)" -eq 0 ] || { echo "bench-live.sh needs root (network namespaces)" >&2; exit 1; }
command -v tcpreplay >/dev/null || { echo "install tcpreplay" >&2; exit 1; }
[ -x "$build/tests/gen/ew-pcapgen" ] || make -C "$build" tests/gen/ew-pcapgen >/dev/null
cap="$out/bench-$packets.pcap"
[ -f "$cap" ] || "$build/tests/gen/ew-pcapgen" bench --packets "$packets" -o "$cap"
shipped="--rules $top/rules/devices.yaml --detections $top/rules/detections.yaml --models $top/models"

ns=ewbench$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add vrep type veth peer name vsen
ip -n "$ns" link set vrep up
ip -n "$ns" link set vsen up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

echo "capture: $cap ($packets packets); machine: $(nproc) cores"
# shellcheck disable=SC2086 # $shipped is a list of words
/usr/bin/time -f '%e' -o "$out/offline.time" "$build/src/edgewatch" -q -r "$cap" -o /dev/null $shipped
printf 'offline: %.0f packets/s\n' "$(awk -v p="$packets" '{ print p / $1 }' "$out/offline.time")"
best=0
for rate in $RATES; do
	# shellcheck disable=SC2086
	ip netns exec "$ns" "$build/src/edgewatch" -i vsen -o /dev/null $shipped 2>"$out/live.err" &
	pid=$!
	sleep 1
	if [ "$rate" = top ]; then
		ip netns exec "$ns" tcpreplay -q -i vrep --topspeed "$cap" >"$out/replay.txt" 2>&1
	else
		ip netns exec "$ns" tcpreplay -q -i vrep --pps "$rate" "$cap" >"$out/replay.txt" 2>&1
	fi
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || true
	got=$(sed -n 's/.*read, 0 failed; \([0-9]*\) packets.*/\1/p' "$out/live.err")
	drop=$(sed -n 's/.*received, \([0-9]*\) dropped by the kernel.*/\1/p' "$out/live.err")
	sent=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$out/replay.txt")
	printf 'rate %-7s sent at %8s pps: edgewatch read %s of %s packets, kernel dropped %s\n' \
		"$rate" "${sent:-?}" "${got:-?}" "$packets" "${drop:-?}"
	if [ "${drop:-1}" -eq 0 ] && [ "${got:-0}" -eq "$packets" ] && [ "$rate" != top ]; then
		best=$rate
	fi
done
echo "highest rate without a drop: $best packets/s"
