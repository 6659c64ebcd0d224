#!/bin/sh
# test-datasets.sh - the real public captures in ../shared/datasets, when
# present: every packet read (count recorded from tshark), no malformed
# packet where tshark sees none, and per-protocol flow counts equal to
# those of nDPI's own reader (recorded in tests/expected/datasets.tsv by
# tests/expected/make-datasets.sh), except where
# tests/expected/datasets-differences.tsv explains why they differ.
. "${EW_SRCDIR:?}/tests/lib.sh"

ds=${EW_DATASETS:-}
[ -n "$ds" ] && [ -d "$ds/protocol-coverage" ] ||
	skip "shared datasets not present (${ds:-EW_DATASETS unset})"
EXP="$EW_SRCDIR/tests/expected/datasets.tsv"
DIFFS="$EW_SRCDIR/tests/expected/datasets-differences.tsv"
checked=0

# protocol_counts JSON: "Name:count," sorted, Name = nDPI app protocol or master.
protocol_counts() {
	sed -n 's/.*"master_protocol":"\([^"]*\)","app_protocol":"\([^"]*\)".*/\1 \2/p' "$1" |
		awk '{ a = ($2 != "Unknown") ? $2 : $1; c[a]++ } END { for (k in c) print k ":" c[k] }' |
		LC_ALL=C sort | tr '\n' ','
}

tab=$(printf '\t')
while IFS="$tab" read -r cap packets protos; do
	case $cap in '#'*|'') continue ;; esac
	[ -f "$ds/$cap" ] || continue
	checked=$((checked + 1))
	run_ew -r "$ds/$cap" -o "$TMP/d.json"
	expect_eq "$cap: status" "$RC" 0
	expect_eq "$cap: packets" "$(summary_num 'failed;')" "$packets"
	expect_eq "$cap: malformed" "$(summary_num 'malformed')" 0
	if grep -q "^$cap$tab" "$DIFFS"; then
		continue
	fi
	want=$(echo "$protos" | tr ',' '\n' | LC_ALL=C sort | tr '\n' ',')
	expect_eq "$cap: protocols" "$(protocol_counts "$TMP/d.json")" "$want"
done < "$EXP"

[ "$checked" -gt 0 ] || skip "no listed capture found under $ds"
echo "checked $checked captures"
finish
