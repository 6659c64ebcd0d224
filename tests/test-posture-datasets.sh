#!/bin/sh
# test-posture-datasets.sh - the posture audit on the real public captures
# in ../shared/datasets, when present: with the shipped rules and models,
# each capture's posture findings (device MAC, or address for a device
# keyed by IP, and finding name) are exactly those worked out with tshark
# and ndpiReader in tests/expected/posture-datasets.tsv (made by
# tests/expected/make-posture-datasets.sh): the clear-text and TLS-risk
# cases are found on the expected devices, and the captures where that
# table says "none" (most benign IoT setups) show no finding at all.  The
# inventory (--inventory-json) carries the same findings per device.
. "${EW_SRCDIR:?}/tests/lib.sh"

ds=${EW_DATASETS:-}
[ -n "$ds" ] && [ -d "$ds/attack/ndpi-attack-snippets" ] ||
	skip "shared datasets not present (${ds:-EW_DATASETS unset})"
EXP="$EW_SRCDIR/tests/expected/posture-datasets.tsv"
tab=$(printf '\t')
checked=0

# Where edgewatch and the independent table are known to differ, and why:
# capture, device, finding, the side that has it ("edgewatch" or "table").
# None today: nDPI's port-only guesses (a connection opened and closed
# without a byte: a SYN scan, a connectivity check) are not taken as use.
KNOWN=""

# findings JSON: "device finding" lines, sorted, from the posture events.
findings() {
	sed -n '/"event_type":"posture"/p' "$1" |
		sed 's/.*"device":{"\(mac\|ip\)":"\([^"]*\)".*"new":\[\([^]]*\)\].*/\2 \3/' |
		awk '{ n = split($2, f, ","); for (i = 1; i <= n; i++) { gsub(/"/, "", f[i]); print $1, f[i] } }' |
		LC_ALL=C sort -u
}

# joined: lines as "a b,c d," (none: "").
joined() {
	sed '/^$/d' | tr '\n' ,
}

# inventory_findings FILE: the same from the inventory's posture members.
inventory_findings() {
	grep '"posture":{"findings":\[{' "$1" |
		sed 's/^.*"\(mac\|ip\)":"\([^"]*\)","key".*"posture":{"findings":\(.*\)$/\2 \3/' |
		awk '{ dev = $1; rest = substr($0, length(dev) + 2)
		       while (match(rest, /"name":"[a-z_0-9]*"/)) {
			print dev, substr(rest, RSTART + 8, RLENGTH - 9); rest = substr(rest, RSTART + RLENGTH) } }' |
		LC_ALL=C sort -u
}

caps=$(grep -v '^#' "$EXP" | cut -f1 | uniq)
for cap in $caps; do
	[ -f "$ds/$cap" ] || continue
	checked=$((checked + 1))
	run_ew -q --rules "$EW_SRCDIR/rules/devices.yaml" --models "$EW_SRCDIR/models" \
		-r "$ds/$cap" -o "$TMP/p.json" --inventory-json "$TMP/inv.json"
	expect_eq "$cap: status" "$RC" 0
	want=$(awk -F"$tab" -v c="$cap" '$1 == c && $3 != "none" { print $2, $3 }' "$EXP")
	# Known differences: add what only edgewatch reports, drop what only the table has.
	want=$(printf '%s\n' "$KNOWN" | awk -F"$tab" -v c="$cap" -v w="$want" '
		BEGIN { n = split(w, l, "\n"); for (i = 1; i <= n; i++) if (l[i] != "") s[l[i]] = 1 }
		$1 == c && $4 == "edgewatch" { s[$2 " " $3] = 1 }
		$1 == c && $4 == "table" { delete s[$2 " " $3] }
		END { for (k in s) print k }' | LC_ALL=C sort -u)
	got=$(findings "$TMP/p.json")
	expect_eq "$cap: findings" "$(printf '%s\n' "$got" | joined)" \
		"$(printf '%s\n' "$want" | joined)"
	expect_eq "$cap: inventory findings" "$(inventory_findings "$TMP/inv.json" | joined)" \
		"$(printf '%s\n' "$got" | joined)"
done

[ "$checked" -gt 0 ] || skip "no listed capture found under $ds"
echo "checked $checked captures"
finish
