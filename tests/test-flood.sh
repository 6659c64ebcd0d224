#!/bin/sh
# test-flood.sh - one million distinct flows through a table capped at
# 100,000: the table never holds more than the cap, the oldest flows are
# evicted (counted), every flow is still reported, and peak memory stays
# under FLOOD_MAX_RSS_MIB (documented in docs/performance.md).
. "${EW_SRCDIR:?}/tests/lib.sh"

FLOWS=1000000
CAP=100000
FLOOD_MAX_RSS_MIB=80

: "${PCAPGEN:?}"
printf 'flow:\n  max_flows: %d\n' "$CAP" > "$TMP/flood.yaml"
"$PCAPGEN" flood --flows "$FLOWS" -o - |
	"$EDGEWATCH" -r - -c "$TMP/flood.yaml" -o "$TMP/flood.json" 2>"$TMP/err"
expect_eq "flood exit status" "$?" 0
expect_eq "packets" "$(summary_num 'failed;')" "$FLOWS"
expect_eq "flows created" "$(sed -n 's/^flows: \([0-9]*\) .*/\1/p' "$TMP/err")" "$FLOWS"
expect_eq "peak flows at once" "$(summary_num 'peak')" "$CAP"
# The first 900,000 make room for the rest; the last 100,000 end at end of input.
expect_eq "evicted" "$(summary_num 'evicted')" $((FLOWS - CAP))
expect_eq "ended at end of input" "$(summary_num 'end of input')" "$CAP"
expect_eq "flow events" "$(grep -c '"event_type":"flow"' "$TMP/flood.json")" "$FLOWS"
expect_eq "evicted events" "$(grep -c '"reason":"evicted"' "$TMP/flood.json")" $((FLOWS - CAP))
# SYN-only flows never get nDPI state.
expect_eq "nDPI states" "$(sed -n 's/^dpi: \([0-9]*\) flows inspected.*/\1/p' "$TMP/err")" 0

rss=$(sed -n 's/.*peak memory \([0-9]*\)\..*/\1/p' "$TMP/err")
if [ -n "${EW_SANITIZERS:-}" ] && [ "$EW_SANITIZERS" != no ]; then
	echo "note: sanitizer build, peak memory $rss MiB not compared with the bound"
elif [ -n "$rss" ] && [ "$rss" -lt "$FLOOD_MAX_RSS_MIB" ]; then
	pass "peak memory $rss MiB < $FLOOD_MAX_RSS_MIB MiB"
else
	fail "peak memory ${rss:-?} MiB, bound $FLOOD_MAX_RSS_MIB MiB"
fi

finish
