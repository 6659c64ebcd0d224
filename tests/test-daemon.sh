#!/bin/sh
# test-daemon.sh - the live sensor as a daemon, in a network namespace with
# a veth pair made by the test (as test-live.sh): started as root, it runs
# as the unprivileged daemon.user with no capabilities in any thread;
# SIGUSR1 writes a stats event at once counting every replayed packet;
# SIGHUP with a broken configuration logs one line and keeps running, with
# a good one applies it (stats events start arriving every second); SIGTERM
# ends it with status 0 within a second, the state saved and the pid file
# removed.
#
# Skipped, with the reason, where namespaces cannot be made (not root, no
# iproute2), tcpreplay is missing or there is no user nobody.
. "${EW_SRCDIR:?}/tests/lib.sh"

getent passwd nobody >/dev/null 2>&1 || { skip "no user nobody to run as"; finish; }
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
ns=ewdaemon$$
trap 'kill -KILL "$pid" 2>/dev/null; ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
replay_ns "$ns"

# After the drop, nobody reads the configuration again (SIGHUP) and writes
# the state: $TMP (mode 0700 from mktemp) must let it through.
chmod 0755 "$TMP"
mkdir "$TMP/state" "$TMP/run" "$TMP/log"
# The pid file's directory: nobody removes the file at exit.  The output's:
# SIGHUP reopens the file (log rotation), as nobody.
chown nobody "$TMP/run" "$TMP/log"
conf="$TMP/conf.yaml"
write_conf() {
	printf 'daemon:\n  user: nobody\n  pid_file: %s\nstats:\n  interval: %s\n%s' \
		"$TMP/run/edgewatch.pid" "$1" "${2:-}" > "$conf"
	chmod 0644 "$conf"
}
write_conf 0

# wait_for FILE TEXT: until FILE holds TEXT (at most 5 s).
wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

cap="$EW_SRCDIR/pcaps/smart-home.pcap"
total=$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
ip netns exec "$ns" "$EDGEWATCH" -i vsen -c "$conf" --state "$TMP/state" \
	-o "$TMP/log/events.json" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/err" "capturing on vsen"

# Who it runs as: every id nobody's, no capability, in every thread.
st=/proc/$pid/status
expect_eq "uid after start (real, effective, saved, fs)" \
	"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" \
	"$nobody_uid $nobody_uid $nobody_uid $nobody_uid"
expect_eq "gid after start" "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")" \
	"$nobody_gid $nobody_gid $nobody_gid $nobody_gid"
expect_eq "CapEff of the process" "$(awk '/^CapEff:/ { print $2 }' "$st")" 0000000000000000
expect_eq "CapPrm of the process" "$(awk '/^CapPrm:/ { print $2 }' "$st")" 0000000000000000
threads=$(ls /proc/$pid/task | wc -l)
[ "$threads" -ge 2 ] && pass "an output thread runs ($threads threads)" || fail "threads: $threads"
expect_eq "threads holding a capability or a root uid" \
	"$(cat /proc/$pid/task/*/status | awk '/^CapEff:|^CapPrm:/ && $2 != "0000000000000000" { n++ }
		/^Uid:/ && $2 + $3 + $4 == 0 { n++ } END { print n + 0 }')" 0
expect_eq "the log says so" \
	"$(grep -c "running as nobody (uid $nobody_uid, gid $nobody_gid) with no capabilities" "$TMP/err")" 1
expect_eq "pid file holds the pid" "$(cat "$TMP/run/edgewatch.pid" 2>/dev/null)" "$pid"
expect_eq "state directory given to nobody" "$(stat -c %u "$TMP/state")" "$nobody_uid"

ip netns exec "$ns" tcpreplay -q -i vrep --pps 2000 "$cap" >"$TMP/replay" 2>&1
expect_eq "tcpreplay exit status" "$?" 0
sleep 0.5
expect_eq "no stats event before asked (interval 0)" "$(grep -c '"event_type":"stats"' "$TMP/log/events.json")" 0

# SIGUSR1: a stats event at once (the capture loop wakes at least every 100 ms).
t0=$(date +%s%N)
kill -USR1 "$pid"
i=0
while ! grep -q '"reason":"signal"' "$TMP/log/events.json" && [ $i -lt 100 ]; do sleep 0.01; i=$((i + 1)); done
t1=$(date +%s%N)
expect_eq "SIGUSR1: stats event within half a second" "$(( (t1 - t0) < 500000000 ))" 1
line=$(grep '"reason":"signal"' "$TMP/log/events.json")
num() { printf '%s' "$line" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# Every replayed frame (the capture's $total) reached the kernel and the pipeline.
expect_eq "stats: kernel_received = the capture's packets" "$(num kernel_received)" "${total:-1415}"
expect_eq "stats: packets = the capture's packets" "$(num packets)" "${total:-1415}"
expect_eq "stats: kernel_dropped" "$(num kernel_dropped)" 0
expect_eq "stats: interface" "$(printf '%s' "$line" | grep -o '"interface":"vsen"')" '"interface":"vsen"'
[ "$(num rss_kb)" -gt 0 ] 2>/dev/null && pass "stats: rss_kb $(num rss_kb) > 0" || fail "stats: rss_kb missing"

# SIGHUP, broken: "soon" at line 5, column 13 ("  interval: " is 12 characters).
write_conf soon
kill -HUP "$pid"
wait_for "$TMP/err" "configuration not reloaded"
expect_eq "broken config: one line with its place" \
	"$(grep -c "configuration not reloaded, the running one stays: $conf:5:13: stats.interval: " "$TMP/err")" 1
kill -0 "$pid" 2>/dev/null && pass "broken config: still running" || fail "broken config: the process ended"

# SIGHUP, good: stats every second (reloadable), and flow.max_flows (not).
write_conf 1 'flow:
  max_flows: 1000
'
n0=$(grep -c '"reason":"interval"' "$TMP/log/events.json")
kill -HUP "$pid"
wait_for "$TMP/err" "configuration reloaded from $conf"
expect_eq "good config: stats.interval applied" "$(grep -c "configuration: stats.interval changed$" "$TMP/err")" 1
expect_eq "good config: flow.max_flows waits for a restart" \
	"$(grep -c "configuration: flow.max_flows changed: takes effect at restart" "$TMP/err")" 1
sleep 3.5
n1=$(grep -c '"reason":"interval"' "$TMP/log/events.json")
# 3.5 s at one a second: 3 events, give or take one at either edge.
[ $((n1 - n0)) -ge 2 ] && [ $((n1 - n0)) -le 4 ] && pass "stats every second: $((n1 - n0)) in 3.5 s" ||
	fail "stats every second: $((n1 - n0)) in 3.5 s, want 2..4"

# SIGTERM: out within a second, status 0, state written by nobody, pid file gone.
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
t1=$(date +%s%N)
expect_eq "SIGTERM: exit status" "$rc" 0
expect_eq "SIGTERM: out within a second" "$(( (t1 - t0) < 1000000000 ))" 1
expect_eq "inventory.state written by nobody" "$(stat -c %u "$TMP/state/inventory.state" 2>/dev/null)" \
	"$nobody_uid"
expect_eq "baselines.state written by nobody" "$(stat -c %u "$TMP/state/baselines.state" 2>/dev/null)" \
	"$nobody_uid"
[ -e "$TMP/run/edgewatch.pid" ] && fail "pid file left behind" || pass "pid file removed"
expect_eq "a stats event at exit" "$(grep -c '"reason":"exit"' "$TMP/log/events.json")" 1
# The replay's flows all end at exit (none idle long enough to time out).
expect_eq "flows written at exit" "$(grep -c '"reason":"shutdown"' "$TMP/log/events.json")" \
	"$(sed -n 's/.*end of input \([0-9]*\).*/\1/p' "$TMP/err")"
# SIGHUP reopened the output as nobody: it was given the file at start.
expect_eq "output given to nobody" "$(grep -c "output $TMP/log/events.json given to nobody" "$TMP/err")" 1
expect_eq "no output failure" "$(grep -c 'reopen\|lines failed\|not writable' "$TMP/err")" 0
finish
