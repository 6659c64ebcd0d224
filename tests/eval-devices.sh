#!/bin/sh
# eval-devices.sh - how well rules/devices.yaml names the labelled devices
# of the shared benign-IoT captures (IoT Sentinel setup captures and the
# tj-oconnor week-long captures; ../shared/datasets/MANIFEST.md 2.1, 2.2).
#
# For each row of tests/expected/iot-sentinel-classes.tsv it runs edgewatch
# once over that capture (a directory is read whole, its pcaps in name
# order), takes the inventory line of the device's MAC and compares its
# class with the expected one. It prints the commands it ran, a table, the
# accuracy, the recall of each expected class and the confusion of the
# wrong ones. A measurement, not a pass/fail test: not part of make check,
# and it exits 0 whatever the accuracy (77 when the datasets are absent,
# 1 when edgewatch cannot be run). docs/devices.md records a run.
#
# Usage: tests/eval-devices.sh   (from anywhere)
# Environment: EDGEWATCH (default build/src/edgewatch), EW_RULES (default
# rules/devices.yaml), EW_DATASETS (default ../shared/datasets beside the
# checkout), EW_KEEP (a directory in which to keep each inventory as
# NAME.json for study; by default they are deleted).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
EDGEWATCH=${EDGEWATCH:-$top/build/src/edgewatch}
RULES=${EW_RULES:-$top/rules/devices.yaml}
DS=${EW_DATASETS:-$top/../shared/datasets}
KEEP=${EW_KEEP:-}
EXP=$top/tests/expected/iot-sentinel-classes.tsv

if [ ! -d "$DS/benign-iot" ]; then
	echo "SKIP: shared datasets not present ($DS/benign-iot)"
	exit 77
fi
DS=$(cd "$DS" && pwd)
if [ ! -x "$EDGEWATCH" ]; then
	echo "eval-devices: no edgewatch at $EDGEWATCH (make -C build src/edgewatch)" >&2
	exit 1
fi

if [ -n "$KEEP" ]; then
	mkdir -p "$KEEP" || exit 1
	KEEP=$(cd "$KEEP" && pwd)
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ewdev.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM
RES=$TMP/results.tsv
: > "$RES"
tab=$(printf '\t')

# device_fields MAC FILE: "class<TAB>confidence<TAB>class_vendor<TAB>rules"
# from the device's inventory line. Values are taken by key (edgewatch
# writes no spaces between tokens); the evidence rule ids are read only
# between "class_evidence":[ and ],"class_score": - strings from the wire
# are escaped there, so neither marker can occur inside a value.
device_fields() {
	grep -F "\"mac\":\"$1\"" "$2" | head -n 1 | awk '
	function str(key,    i, rest) {
		i = index($0, "\"" key "\":\"")
		if (i == 0) return "-"
		rest = substr($0, i + length(key) + 4)
		match(rest, /^([^"\\]|\\.)*/)
		return substr(rest, 1, RLENGTH)
	}
	function num(key,    i, rest) {
		i = index($0, "\"" key "\":")
		if (i == 0) return "-"
		rest = substr($0, i + length(key) + 3)
		match(rest, /^[0-9]+/)
		return substr(rest, 1, RLENGTH)
	}
	{
		ev = ""
		i = index($0, "\"class_evidence\":[")
		j = index($0, "],\"class_score\":")
		if (i > 0 && j > i)
			ev = substr($0, i, j - i)
		ids = ""; n = 0
		while (n < 3 && (k = index(ev, "\"rule\":\"")) > 0) {
			ev = substr(ev, k + 8)
			id = substr(ev, 1, index(ev, "\"") - 1)
			if (index("," ids ",", "," id ",") == 0) {
				ids = ids (n ? "," : "") id
				n++
			}
		}
		printf "%s\t%s\t%s\t%s\n", str("class"), num("class_confidence"),
		    str("class_vendor"), (ids == "" ? "-" : ids)
		found = 1
	}
	END { if (!found) printf "absent\t-\t-\t-\n" }'
}

start=$(date +%s)
echo "# $("$EDGEWATCH" --version 2>&1 | head -n 1); rules $RULES, cksum $(cksum < "$RULES" | cut -d" " -f1)"
echo "# commands"
while IFS="$tab" read -r cap mac want note; do
	case $cap in '#'*|'') continue ;; esac
	in=$DS/benign-iot/$cap
	name=$(basename "$cap")
	if [ ! -e "$in" ]; then
		printf '%s\t%s\t%s\tmissing\t-\t-\t-\tSKIPPED\t%s\n' "$name" "$mac" "$want" "${cap%%/*}" >> "$RES"
		continue
	fi
	inv=$TMP/inventory.json
	[ -n "$KEEP" ] && inv=$KEEP/$name.json
	rm -f "$inv"
	echo "$EDGEWATCH -q -r $in -o /dev/null --rules $RULES --inventory-json $inv"
	"$EDGEWATCH" -q -r "$in" -o /dev/null --rules "$RULES" --inventory-json "$inv" </dev/null \
		2> "$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		sed 's/^/  edgewatch: /' "$TMP/err"
		got="error-$rc	-	-	-"
	else
		got=$(device_fields "$mac" "$inv")
	fi
	verdict=WRONG
	[ "${got%%"$tab"*}" = "$want" ] && verdict=OK
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mac" "$want" "$got" "$verdict" "${cap%%/*}" >> "$RES"
done < "$EXP"
end=$(date +%s)

echo
echo "# devices"
awk -F'\t' '
BEGIN {
	fmt = "%-20s %-17s %-12s %-12s %4s  %-12s %-44s %s\n"
	printf fmt, "capture", "mac", "expected", "got", "conf", "vendor", "top evidence", "result"
}
{ printf fmt, $1, $2, $3, $4, $5, $6, $7, $8 }' "$RES"

echo
awk -F'\t' '
$8 == "SKIPPED" { skipped = skipped " " $1; next }
{
	n++; total[$3]++; set_n[$9]++
	if ($8 == "OK") { ok++; right[$3]++; set_ok[$9]++ }
	else { key = $3 " -> " $4; conf[key]++; who[key] = who[key] " " $1 }
}
END {
	printf "# accuracy\n%d of %d devices right (%.1f%%)\n", ok, n, n ? 100 * ok / n : 0
	for (d in set_n) slist[++ns] = d
	for (i = 2; i <= ns; i++)               # insertion sort: awk has no sort
		for (j = i; j > 1 && slist[j - 1] > slist[j]; j--) {
			t = slist[j]; slist[j] = slist[j - 1]; slist[j - 1] = t
		}
	for (i = 1; i <= ns; i++)
		printf "  %s: %d of %d (%.1f%%)\n", slist[i], set_ok[slist[i]],
		    set_n[slist[i]], 100 * set_ok[slist[i]] / set_n[slist[i]]
	if (skipped != "") printf "not evaluated (capture absent):%s\n", skipped
	printf "\n# recall per expected class\n"
	for (c in total) list[++k] = c
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && list[j - 1] > list[j]; j--) {
			t = list[j]; list[j] = list[j - 1]; list[j - 1] = t
		}
	for (i = 1; i <= k; i++)
		printf "%-13s %2d of %2d  %5.1f%%\n", list[i], right[list[i]] + 0,
		    total[list[i]], 100 * right[list[i]] / total[list[i]]
	printf "\n# confusion of the wrong ones (expected -> got)\n"
	m = 0
	for (c in conf) clist[++m] = c
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && clist[j - 1] > clist[j]; j--) {
			t = clist[j]; clist[j] = clist[j - 1]; clist[j - 1] = t
		}
	for (i = 1; i <= m; i++)
		printf "%-28s %2d:%s\n", clist[i], conf[clist[i]], who[clist[i]]
	if (m == 0) print "none"
}' "$RES"

echo
echo "# elapsed: $((end - start)) s of wall-clock time for all edgewatch runs"
exit 0
