#!/bin/sh
# eval-detection.sh - the detection figures of docs/detection.md, with the
# shipped rules and models (24 h of learning):
#
#  1. the nine labelled attacks of `ew-pcapgen attacks` after 25 h of
#     benign life, for seeds 1..SEEDS: detection, attribution, latency,
#     false alerts;
#  2. false alerts per 100 device-days on generated benign homes
#     (SITES homes x DAYS days, streamed: nothing is written to disk);
#  3. opened incidents per device-week on the real week-long single-device
#     captures in ../shared/datasets/benign-iot/tj-oconnor-IoT-Dataset;
#  4. what fires on the labelled attack captures in
#     ../shared/datasets/attack (each file is the named behaviour).
# Parts 3 and 4 are skipped when the datasets are absent.
#
# usage: tests/bench/eval-detection.sh [BUILD_DIR]
#   SEEDS (default 5), SITES (default 10), DAYS (default 3) in the environment.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
SEEDS=${SEEDS:-5}
SITES=${SITES:-10}
DAYS=${DAYS:-3}
datasets=${EW_DATASETS:-$top/../shared/datasets}
out=${BENCH_DIR:-$top/tests/bench/out}
mkdir -p "$out"
for p in src/edgewatch src/edgewatch-eval tests/gen/ew-pcapgen; do
	[ -x "$build/$p" ] || make -C "$build" "$p" >/dev/null
done
ew="$build/src/edgewatch"
ev="$build/src/edgewatch-eval"
gen="$build/tests/gen/ew-pcapgen"
shipped="--rules $top/rules/devices.yaml --detections $top/rules/detections.yaml --models $top/models"

echo "== 1. generated attacks after 25 h of benign life (tolerance 120 s)"
for seed in $(seq "$SEEDS"); do
	"$gen" attacks --warmup 90000 --seed "$seed" -o "$out/attacks.pcap" \
		--labels "$out/attacks.csv" 2>/dev/null
	# shellcheck disable=SC2086 # $shipped is a list of words
	"$ev" --labels "$out/attacks.csv" --tolerance 120 -r "$out/attacks.pcap" -- $shipped \
		>"$out/attacks-$seed.txt"
	if [ "$seed" -eq 1 ]; then
		sed -n '1,10p' "$out/attacks-$seed.txt"
	fi
	printf 'seed %s: %s; %s; %s\n' "$seed" \
		"$(grep '^detected:' "$out/attacks-$seed.txt")" \
		"$(grep '^latency:' "$out/attacks-$seed.txt")" \
		"$(grep '^false alerts:' "$out/attacks-$seed.txt" | cut -d'(' -f1)"
done
rm -f "$out/attacks.pcap"

echo
echo "== 2. generated benign homes: $SITES homes x $DAYS days"
printf 'device,start,end,scenario\n' > "$out/none.csv"
# shellcheck disable=SC2086
"$gen" benign --sites "$SITES" --duration $((DAYS * 86400)) --seed 11 --slice 80 -o - \
	2>"$out/benign.gen" | "$ew" -q -r - $shipped -o - |
	"$ev" --labels "$out/none.csv" --events - | sed -n '/^false alerts:/,/^false alerts per/p'
cat "$out/benign.gen"
echo "(the first day of each device is learning; detection covers the rest)"

tj="$datasets/benign-iot/tj-oconnor-IoT-Dataset/pcaps"
echo
if [ -d "$tj" ]; then
	echo "== 3. real week-long single-device captures (tj-oconnor IoT dataset)"
	total=0
	for f in "$tj"/*.pcap; do
		# shellcheck disable=SC2086
		"$ew" -q -r "$f" $shipped -o "$out/real.json"
		n=$(grep -c '"status":"opened"' "$out/real.json" || true)
		days=$(grep '"event_type":"flow"' "$out/real.json" | sed -n '1s/.*"timestamp":"\([^"]*\)".*/\1/p;$s/.*"timestamp":"\([^"]*\)".*/\1/p' |
			while read -r t; do date -u -d "$(echo "$t" | sed 's/+0000$/Z/')" +%s; done |
			awk 'NR==1 { a = $1 } END { printf "%.1f", ($1 - a) / 86400 }')
		printf '%-22s %5s days  %2s incidents opened\n' "$(basename "$f" .pcap)" "$days" "$n"
		grep '"status":"opened"' "$out/real.json" | sed 's/.*"timestamp":"\([^"]*\)".*"mac":"\([^"]*\)".*"cause":"\([^"]*\)".*"explanation":"\([^"]*\)".*/    \1 \2 \3: \4/' | cut -c1-160
		total=$((total + n))
	done
	echo "total: $total incidents opened"
else
	echo "== 3. skipped: no $tj"
fi

echo
if [ -d "$datasets/attack" ]; then
	echo "== 4. labelled attack captures: the incidents each opens (cause/severity x count)"
	for f in "$datasets"/attack/ndpi-attack-snippets/* "$datasets"/attack/stopddos-packet-captures/*; do
		[ -f "$f" ] || continue
		# shellcheck disable=SC2086
		"$ew" -q -r "$f" $shipped -o "$out/attack.json"
		printf '%-52s %s\n' "$(basename "$f")" "$(grep '"status":"opened"' "$out/attack.json" |
			sed 's/.*"cause":"\([^"]*\)".*"severity":"\([a-z]*\)".*/\1\/\2/' | sort | uniq -c |
			awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
	done
else
	echo "== 4. skipped: no $datasets/attack"
fi
