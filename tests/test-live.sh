#!/bin/sh
# test-live.sh - live capture (-i) on a veth pair in a network namespace
# made by the test: tcpreplay sends the bundled capture into one end at a
# fixed rate while edgewatch captures the other.  Every packet is seen
# (none dropped), the flows are exactly those of reading the file offline
# (the same pipeline; only timestamps differ), and SIGTERM ends the run
# with status 0 within a second, with the flows written.
#
# Skipped, with the reason, where namespaces cannot be made (not root, no
# iproute2) or tcpreplay is missing.
. "${EW_SRCDIR:?}/tests/lib.sh"

ns=ewtest$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
replay_ns "$ns"

cap="$EW_SRCDIR/pcaps/smart-home.pcap"
ip netns exec "$ns" "$EDGEWATCH" -i vsen -o "$TMP/live.json" 2>"$TMP/err" &
pid=$!
# Capturing once its start-up line is out.
i=0
while ! grep -q "capturing on vsen" "$TMP/err" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ip netns exec "$ns" tcpreplay -q -i vrep --pps 2000 "$cap" >"$TMP/replay" 2>&1
expect_eq "tcpreplay exit status" "$?" 0
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
t1=$(date +%s%N)
expect_eq "SIGTERM: exit status" "$rc" 0
expect_eq "SIGTERM: out within a second" "$(( (t1 - t0) < 1000000000 ))" 1
total=$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
expect_eq "every packet read" "$(sed -n 's/.*read, 0 failed; \([0-9]*\) packets.*/\1/p' "$TMP/err")" \
	"${total:-1415}"
expect_eq "none dropped by the kernel" \
	"$(sed -n 's/.*received, \([0-9]*\) dropped by the kernel.*/\1/p' "$TMP/err")" 0
"$EDGEWATCH" -q -r "$cap" -o "$TMP/offline.json"
flows_tsv "$TMP/live.json" > "$TMP/live.tsv"
flows_tsv "$TMP/offline.json" > "$TMP/offline.tsv"
expect_same "live flows equal offline flows" "$TMP/live.tsv" "$TMP/offline.tsv"
finish
