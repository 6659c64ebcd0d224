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

[ "$(id -u)" -eq 0 ] || { skip "not root: cannot make a network namespace"; finish; }
command -v ip >/dev/null 2>&1 || { skip "ip (iproute2) not found"; finish; }
command -v tcpreplay >/dev/null 2>&1 || { skip "tcpreplay not found"; finish; }
ns=ewtest$$
ip netns add "$ns" 2>/dev/null || { skip "cannot make a network namespace here"; finish; }
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
ip -n "$ns" link add vrep type veth peer name vsen
ip -n "$ns" link set vrep up
ip -n "$ns" link set vsen up
# No IPv6 on the pair: the kernel's own router solicitations would be captured too.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.vrep.disable_ipv6=1 \
	net.ipv6.conf.vsen.disable_ipv6=1

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
