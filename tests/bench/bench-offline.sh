#!/bin/sh
# bench-offline.sh - offline throughput and memory of `edgewatch -r`, beside
# nDPI's own reader (ndpiReader -i, Debian package libndpi-bin) on the same
# capture, and a bare libpcap read loop (the ceiling).
#
# usage: tests/bench/bench-offline.sh [BUILD_DIR] [PACKETS]
#   BUILD_DIR  configured build tree (default: build); needs tests/gen/ew-pcapgen
#              built there (make -C build check TESTS= builds it)
#   PACKETS    size of the generated capture (default 5000000)
# Needs: ndpiReader (libndpi-bin), GNU time (time), gcc and libpcap-dev.
# Each program runs RUNS times on one core; the best wall time is kept.
# edgewatch runs twice: with behavioural scoring and with --no-scoring, both
# with the shipped rules and models, to show what scoring costs.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
packets=${2:-5000000}
RUNS=${RUNS:-3}
out=${BENCH_DIR:-$top/tests/bench/out}
mkdir -p "$out"

command -v ndpiReader >/dev/null || { echo "install libndpi-bin for ndpiReader" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "install the 'time' package for /usr/bin/time" >&2; exit 1; }
[ -x "$build/tests/gen/ew-pcapgen" ] || make -C "$build" tests/gen/ew-pcapgen >/dev/null
[ -x "$build/src/edgewatch" ] || make -C "$build" src/edgewatch >/dev/null

cap="$out/bench-$packets.pcap"
if [ ! -f "$cap" ]; then
	echo "generating $cap ..."
	"$build/tests/gen/ew-pcapgen" bench --packets "$packets" -o "$cap"
fi
gcc -O2 -o "$out/pcap-loop" "$top/tests/bench/pcap-loop.c" -lpcap

# measure NAME CMD...: best wall time, its CPU seconds and peak RSS (KiB).
measure() {
	name=$1
	shift
	best=""
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" taskset -c 0 "$@" \
			>/dev/null 2>"$out/$name.stderr"
		read -r wall user sys rss < "$out/time.txt"
		if [ -z "$best" ] || awk "BEGIN { exit !($wall < $best) }"; then
			best=$wall
			cpu=$(awk "BEGIN { printf \"%.2f\", $user + $sys }")
			mem=$rss
		fi
	done
	pps=$(awk "BEGIN { printf \"%.0f\", $packets / ($best > 0 ? $best : 0.001) }")
	printf '%-12s %10s pkt/s  wall %6.2f s  cpu %6.2f s  peak RSS %7.1f MiB\n' \
		"$name" "$pps" "$best" "$cpu" "$(awk "BEGIN { print $mem / 1024 }")"
	eval "pps_$name=$pps; rss_$name=$mem"
}

echo "capture: $cap ($packets packets, $(du -h "$cap" | cut -f1))"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
measure pcaploop "$out/pcap-loop" "$cap"
# The shipped fingerprint and detection rules and models, as an installed sensor runs.
shipped="--rules $top/rules/devices.yaml --detections $top/rules/detections.yaml --models $top/models"
# shellcheck disable=SC2086 # $shipped is a list of words
measure edgewatch "$build/src/edgewatch" -q -r "$cap" -o /dev/null $shipped
# shellcheck disable=SC2086
measure noscoring "$build/src/edgewatch" -q -r "$cap" -o /dev/null $shipped --no-scoring
measure ndpiReader ndpiReader -q -i "$cap"
echo
awk -v e="$pps_edgewatch" -v n="$pps_ndpiReader" -v c="$pps_pcaploop" \
    -v s="$pps_noscoring" -v re="$rss_edgewatch" -v rn="$rss_ndpiReader" 'BEGIN {
	printf "edgewatch / ndpiReader packets/s: %.2fx\n", e / n
	printf "edgewatch with scoring / without (--no-scoring) packets/s: %.2f\n", e / s
	printf "edgewatch / bare libpcap loop packets/s: %.2f\n", e / c
	printf "edgewatch / ndpiReader peak RSS: %.2f\n", re / rn
}'
