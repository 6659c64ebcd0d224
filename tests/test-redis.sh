#!/bin/sh
# test-redis.sh - the Redis output (src/output-redis.c) against a real
# redis-server on a temporary unix socket, driven by tests/redis-driver:
# entries and their fields, ACL user with a password file and a database,
# Redis stopped and restarted mid-run (every entry arrives, in order),
# Redis killed during writes (duplicates only as docs/redis.md allows),
# the journal kept across a restart of the writer, the journal's cap and
# its drop counter, PUBLISH.
. "${EW_SRCDIR:?}/tests/lib.sh"

command -v redis-server >/dev/null 2>&1 ||
	skip "redis-server not found (Debian package redis-server): Redis output not tested"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli not found (Debian package redis-tools)"
DRIVER="$(dirname "$(dirname "$EDGEWATCH")")/tests/redis-driver"
[ -x "$DRIVER" ] || { fail "no driver at $DRIVER (make check builds it)"; finish; }

SOCK="$TMP/r.sock"
PW='s3cret-for-the-test'
ALERTS=edgewatch:alerts
EVENTS=edgewatch:events

# The server has an ACL user with exactly the rights docs/redis.md gives
# the sensor; redis-cli uses the default user.
printf 'user default on nopass ~* &* +@all\n' > "$TMP/redis.conf"
printf 'user edgewatch on >%s resetkeys ~edgewatch:* resetchannels &edgewatch:* -@all +xadd +publish +ping +select +auth +hello\n' \
	"$PW" >> "$TMP/redis.conf"
printf '%s\n' "$PW" > "$TMP/pw"
chmod 600 "$TMP/pw"
URL="unix://$SOCK?db=2"
AUTH="--user edgewatch --password-file $TMP/pw"

trap 'stop_redis; rm -rf "$TMP"' EXIT

rcli() {
	redis-cli -s "$SOCK" -n 2 "$@"
}

# expected FIRST LAST ALERT_EVERY alert|flow: the driver's lines of that type.
expected() {
	awk -v a="$1" -v b="$2" -v m="$3" -v k="$4" 'BEGIN {
		for (i = a; i <= b; i++) {
			al = m > 0 && i % m == 0
			if ((k == "alert") != al) continue
			printf "{\"timestamp\":\"2026-03-02T08:00:00.000000+0000\",\"event_type\":\"%s\",%s\"seq\":\"%06d\"}\n",
				k, al ? "\"alert\":{\"severity\":\"high\"}," : "", i
		}
	}'
}

# events STREAM: the event field of every entry, in stream order.
events() {
	rcli XRANGE "$1" - + | grep '^{'
}

# stat NAME FILE: a counter from the driver's output.
stat() {
	sed -n "s/^$1=//p" "$2"
}

# wait_file PATH: up to 20 s.
wait_file() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 400 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ -e "$1" ] || fail "timed out waiting for $1"
}

start_redis "$TMP/redis.conf"

# --- 1. Entries and their fields -------------------------------------------
# 50 lines, every 10th an alert: 5 alerts (10, 20, .., 50) and 45 others.
"$DRIVER" --url "$URL" $AUTH --spool "$TMP" --count 50 --alert-every 10 \
	>"$TMP/s1.out" 2>"$TMP/s1.err"
expect_eq "basic run status" "$?" 0
expect_eq "XLEN alerts" "$(rcli XLEN $ALERTS)" 5
expect_eq "XLEN events" "$(rcli XLEN $EVENTS)" 45
expect_eq "nothing in db 0" "$(redis-cli -s "$SOCK" -n 0 DBSIZE)" 0
expected 1 50 10 alert > "$TMP/want"
events $ALERTS > "$TMP/got"
expect_same "alert entries in order" "$TMP/got" "$TMP/want"
expected 1 50 10 flow > "$TMP/want"
events $EVENTS > "$TMP/got"
expect_same "event entries in order" "$TMP/got" "$TMP/want"
# The documented fields, in order: type, severity (alerts), event.
rcli XRANGE $ALERTS - + COUNT 1 | tail -n +2 > "$TMP/got"
{
	printf 'type\nalert\nseverity\nhigh\nevent\n'
	expected 10 10 10 alert
} > "$TMP/want"
expect_same "alert entry fields" "$TMP/got" "$TMP/want"
rcli XRANGE $EVENTS - + COUNT 1 | tail -n +2 > "$TMP/got"
{
	printf 'type\nflow\nevent\n'
	expected 1 1 10 flow
} > "$TMP/want"
expect_same "event entry fields (no severity)" "$TMP/got" "$TMP/want"
expect_eq "written" "$(stat written "$TMP/s1.out")" 50
expect_eq "spooled" "$(stat spooled "$TMP/s1.out")" 0
rcli DEL $ALERTS $EVENTS >/dev/null

# --- 2. Credentials ----------------------------------------------------------
chmod 644 "$TMP/pw"
"$DRIVER" --url "$URL" $AUTH --count 1 >"$TMP/o" 2>"$TMP/e"
expect_eq "group-readable password file status" "$?" 2
expect_eq "group-readable password file message" "$(cat "$TMP/e")" \
	"redis-driver: $TMP/pw: group or others may read it (mode 0644): chmod 600 it"
chmod 600 "$TMP/pw"
# A wrong password: nothing written, all spooled, the server's refusal logged.
printf 'wrong\n' > "$TMP/badpw"
chmod 600 "$TMP/badpw"
mkdir "$TMP/sp-badpw"
"$DRIVER" --url "$URL" --user edgewatch --password-file "$TMP/badpw" --spool "$TMP/sp-badpw" \
	--count 5 --drain-ms 0 >"$TMP/o" 2>"$TMP/e"
expect_eq "wrong password: written" "$(stat written "$TMP/o")" 0
expect_eq "wrong password: spooled" "$(stat spooled "$TMP/o")" 5
grep -q 'cannot connect.*AUTH: WRONGPASS' "$TMP/e" && pass "wrong password logged" ||
	fail "wrong password log: $(cat "$TMP/e")"
expect_eq "wrong password: XLEN" "$(rcli XLEN $EVENTS)" 0
# A stream outside the user's keys: the server refuses (NOPERM); the entry
# is spooled and, to keep the order, so is everything after it.  Line 1
# goes live; its extra entry fails; lines 2, 3 and their extras follow it
# into the spool: 1 written, 5 spooled.
mkdir "$TMP/sp-noperm"
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp-noperm" --count 3 --xadd other:q --drain-ms 300 \
	>"$TMP/o" 2>"$TMP/e"
expect_eq "refused stream: written" "$(stat written "$TMP/o")" 1
expect_eq "refused stream: spooled" "$(stat spooled "$TMP/o")" 5
expect_eq "refused stream: pending" "$(stat pending "$TMP/o")" 5
grep -q 'connection lost: XADD: NOPERM' "$TMP/e" && pass "refusal logged" ||
	fail "refusal log: $(cat "$TMP/e")"
expect_eq "refused stream: XLEN" "$(rcli XLEN $EVENTS)" 1
rcli DEL $EVENTS >/dev/null

# --- 3. Redis stopped and restarted between two lines ------------------------
# 300 lines, alerts every 7th; Redis is up for 1..100, down for 101..200
# (all 100 spooled), back for 201..300: the journal's 100 are replayed
# before 201.  Each line also adds an entry to edgewatch:q through
# output_redis_xadd (field seq).  The server restarts empty (no
# persistence), so what it held before the stop is read before the stop.
mkdir "$TMP/sp3" "$TMP/p3"
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp3" --count 300 --alert-every 7 \
	--pause-at 100,200 --pause-dir "$TMP/p3" --xadd edgewatch:q >"$TMP/s3.out" 2>"$TMP/s3.err" &
DPID=$!
wait_file "$TMP/p3/paused.100"
events $ALERTS > "$TMP/a3"
events $EVENTS > "$TMP/e3"
rcli XRANGE edgewatch:q - + | awk 'p { print; p = 0 } $0 == "seq" { p = 1 }' > "$TMP/q3"
stop_redis
touch "$TMP/p3/go.100"
wait_file "$TMP/p3/paused.200"
# 100 records of journal: well past its 24-byte header.
size=$(wc -c < "$TMP/sp3/redis-spool.journal" | tr -d ' ')
[ "$size" -gt 24 ] && pass "journal holds the outage ($size bytes)" || fail "journal size $size"
start_redis "$TMP/redis.conf"
# The writer retries only when its backoff allows (after the one or two
# failures of 101..200: at most 100 + 200 ms); past that, 201 goes live.
sleep 0.5
touch "$TMP/p3/go.200"
wait $DPID
expect_eq "restart run status" "$?" 0
events $ALERTS >> "$TMP/a3"
events $EVENTS >> "$TMP/e3"
rcli XRANGE edgewatch:q - + | awk 'p { print; p = 0 } $0 == "seq" { p = 1 }' >> "$TMP/q3"
expected 1 300 7 alert > "$TMP/want"
expect_eq "alerts across the restart" "$(lines "$TMP/a3")" 42 # 300 / 7 = 42
expect_same "alerts in order across the restart" "$TMP/a3" "$TMP/want"
expected 1 300 7 flow > "$TMP/want"
expect_eq "events across the restart" "$(lines "$TMP/e3")" 258 # 300 - 42
expect_same "events in order across the restart" "$TMP/e3" "$TMP/want"
seq -f '%06g' 1 300 > "$TMP/want"
expect_same "output_redis_xadd entries in order across the restart" "$TMP/q3" "$TMP/want"
# Each line made 2 entries: 1..100 and 201..300 live, 101..200 spooled.
expect_eq "restart: written" "$(stat written "$TMP/s3.out")" 400
expect_eq "restart: spooled" "$(stat spooled "$TMP/s3.out")" 200
expect_eq "restart: replayed" "$(stat replayed "$TMP/s3.out")" 200
expect_eq "restart: dropped" "$(stat dropped "$TMP/s3.out")" 0
expect_eq "restart: reconnects" "$(stat reconnects "$TMP/s3.out")" 1
expect_eq "journal emptied" "$(wc -c < "$TMP/sp3/redis-spool.journal" | tr -d ' ')" 24
rcli DEL $ALERTS $EVENTS edgewatch:q >/dev/null

# --- 4. Redis killed while the writer writes -------------------------------
# With every write fsynced (appendfsync always) what Redis acknowledged
# survives kill -9.  An XADD in flight at the kill may have been applied
# without its reply arriving: it is spooled and replayed, so it may appear
# twice, next to itself (at least once).  Nothing may be missing or out of
# order: with consecutive repeats removed, the stream is exactly 1..400.
stop_redis
mkdir "$TMP/sp4" "$TMP/aof"
AOF="--appendonly yes --appendfsync always --dir $TMP/aof"
start_redis "$TMP/redis.conf" $AOF
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp4" --count 400 --delay-ms 5 --drain-ms 20000 \
	>"$TMP/s4.out" 2>"$TMP/s4.err" &
DPID=$!
sleep 0.6
stop_redis
sleep 1
start_redis "$TMP/redis.conf" $AOF
wait $DPID
expect_eq "kill run status" "$?" 0
events $EVENTS > "$TMP/e4"
uniq "$TMP/e4" > "$TMP/e4u"
expected 1 400 0 flow > "$TMP/want"
expect_same "every entry once killed (repeats removed)" "$TMP/e4u" "$TMP/want"
dups=$(($(lines "$TMP/e4") - $(lines "$TMP/e4u")))
[ "$dups" -le 1 ] && pass "repeats after kill -9: $dups (at most the one in flight)" ||
	fail "repeats after kill -9: $dups"
[ "$(stat spooled "$TMP/s4.out")" -gt 0 ] && pass "the outage was spooled" ||
	fail "nothing spooled during the outage: $(cat "$TMP/s4.out")"
expect_eq "kill: reconnects" "$(stat reconnects "$TMP/s4.out")" 1
stop_redis
rm -rf "$TMP/aof"
start_redis "$TMP/redis.conf"

# --- 5. The journal across a restart of the writer --------------------------
# Redis down: run A spools 1..30 and exits; Redis up: run B replays them
# before its own 31..40.
stop_redis
mkdir "$TMP/sp5"
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp5" --count 30 --drain-ms 0 \
	>"$TMP/s5a.out" 2>"$TMP/s5a.err"
expect_eq "writer A status (spooled, not dropped)" "$?" 0
expect_eq "writer A pending" "$(stat pending "$TMP/s5a.out")" 30
start_redis "$TMP/redis.conf"
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp5" --count 10 --first 31 \
	>"$TMP/s5b.out" 2>"$TMP/s5b.err"
expect_eq "writer B status" "$?" 0
expect_eq "writer B replayed" "$(stat replayed "$TMP/s5b.out")" 30
expect_eq "writer B written" "$(stat written "$TMP/s5b.out")" 10
events $EVENTS > "$TMP/got"
expected 1 40 0 flow > "$TMP/want"
expect_same "journal order across a restart of the writer" "$TMP/got" "$TMP/want"
rcli DEL $EVENTS >/dev/null

# --- 6. The journal's cap and the drop counter -------------------------------
# A flow line is 82 bytes (14 + 31 + 16 + 4 + 2 + 7 + 6 + 2); its record:
# count 4, stream 4+16, "type" 4+4, "flow" 4+4, "event" 4+5, line 4+82
# = 135 bytes of payload + 12 of record header = 147.  A cap of
# 24 + 10 * 147 = 1494 bytes holds 10 records: of 25 lines, 15 are dropped.
stop_redis
mkdir "$TMP/sp6"
"$DRIVER" --url "$URL" $AUTH --spool "$TMP/sp6" --spool-cap 1494 --count 25 --drain-ms 0 \
	>"$TMP/s6.out" 2>"$TMP/s6.err"
expect_eq "cap: status (entries lost)" "$?" 1
expect_eq "cap: spooled" "$(stat spooled "$TMP/s6.out")" 10
expect_eq "cap: dropped" "$(stat dropped "$TMP/s6.out")" 15
expect_eq "cap: journal size" "$(wc -c < "$TMP/sp6/redis-spool.journal" | tr -d ' ')" 1494
# The first drop is reported at once, the other 14 (within the minute) at close.
expect_eq "cap: drop notices" "$(grep -c 'log: redis: dropped' "$TMP/s6.err")" 2
grep -q 'log: redis: dropped 14 entries (spool full); 15 in all' "$TMP/s6.err" &&
	pass "cap: closing notice counts all" || fail "cap notices: $(cat "$TMP/s6.err")"
grep -q 'close: redis: 15 entries dropped' "$TMP/s6.err" && pass "cap: close reports the loss" ||
	fail "cap close message: $(cat "$TMP/s6.err")"

# --- 7. PUBLISH ---------------------------------------------------------------
start_redis "$TMP/redis.conf"
redis-cli -s "$SOCK" SUBSCRIBE edgewatch:live > "$TMP/sub" &
SUBPID=$!
n=0
while [ "$(redis-cli -s "$SOCK" PUBSUB NUMSUB edgewatch:live | tail -n 1)" != 1 ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
"$DRIVER" --url "$URL" $AUTH --count 3 --channel edgewatch:live >"$TMP/o" 2>"$TMP/e"
expect_eq "publish run status" "$?" 0
sleep 0.2
kill "$SUBPID" 2>/dev/null
wait "$SUBPID" 2>/dev/null
grep '^{' "$TMP/sub" > "$TMP/got"
expected 1 3 0 flow > "$TMP/want"
expect_same "published lines" "$TMP/got" "$TMP/want"

finish
