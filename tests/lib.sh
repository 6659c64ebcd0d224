# lib.sh - shared helpers for the shell tests (sourced, not run).
#
# The harness exports EDGEWATCH, PCAPGEN, EW_SRCDIR and EW_DATASETS.
# Exit 77 means "skipped" to automake's test driver.

set -u
: "${EDGEWATCH:?run through make check}"
: "${EW_SRCDIR:?run through make check}"
PCAPS="$EW_SRCDIR/pcaps"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ewtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0

# printf, not echo: dash's echo would interpret backslashes in the values.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	FAILS=$((FAILS + 1))
}

pass() {
	printf 'ok: %s\n' "$*"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed" >&2
		exit 1
	fi
	exit 0
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi
}

# expect_same WHAT GOT_FILE WANT_FILE: the files are identical; on a
# difference, fails and shows it (< edgewatch, > expected).
expect_same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1: differs (< edgewatch, > expected)"
		diff "$2" "$3" | head -n 20 >&2
	fi
}

# lines FILE: its number of lines, without padding.
lines() {
	wc -l < "$1" | tr -d ' '
}

# Runs edgewatch; sets RC and leaves stdout/stderr in $TMP/out and $TMP/err.
run_ew() {
	"$EDGEWATCH" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# flows_tsv FILE: one tab-separated line per flow event, in the ground
# truth's column order: proto src_ip src_port dest_ip dest_port vlan
# pkts_toserver pkts_toclient bytes_toserver bytes_toclient app server_name.
# Values are taken by key from each JSON line (edgewatch writes no spaces).
flows_tsv() {
	awk '
	function val(key,    i, rest, v) {
		i = index($0, "\"" key "\":")
		if (i == 0) return "-"
		rest = substr($0, i + length(key) + 3)
		if (substr(rest, 1, 1) == "\"") {
			rest = substr(rest, 2)
			match(rest, /^([^"\\]|\\.)*/)
			return substr(rest, 1, RLENGTH)
		}
		if (substr(rest, 1, 1) == "[") {
			match(rest, /^\[[^]]*\]/)
			v = substr(rest, 2, RLENGTH - 2)
			sub(/,.*/, "", v)
			return v
		}
		match(rest, /^[^,}]*/)
		return substr(rest, 1, RLENGTH)
	}
	/"event_type":"flow"/ {
		v = val("vlan"); if (v == "-") v = 0
		sp = val("src_port"); if (sp == "-") sp = 0
		dp = val("dest_port"); if (dp == "-") dp = 0
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		       val("proto"), val("src_ip"), sp, val("dest_ip"), dp, v,
		       val("pkts_toserver"), val("pkts_toclient"),
		       val("bytes_toserver"), val("bytes_toclient"),
		       val("app_proto"), val("server_name")
	}' "$1" | LC_ALL=C sort
}

# flow_starts CAPTURE: one line "client server proto client_port
# server_port" per IPv4 flow, from tshark's dissection, as edgewatch's flow
# table keys them: a flow is the two-way 5-tuple, its client the sender of
# its first packet.  Ports are 0 for other protocols than TCP and UDP.
# ICMP is left out: its error messages quote other packets' addresses.
flow_starts() {
	tshark -r "$1" -Y 'ip && !icmp' -T fields -e ip.src -e ip.dst -e ip.proto \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null |
	awk -F '\t' '{
		sp = $4 != "" ? $4 : ($6 != "" ? $6 : 0)
		dp = $5 != "" ? $5 : ($7 != "" ? $7 : 0)
		x = $1 " " sp; y = $2 " " dp
		k = $3 " " (x < y ? x " " y : y " " x)
		if (k in seen) next
		seen[k] = 1
		print $1, $2, $3, sp, dp
	}'
}

# truth_tsv FILE: the flow lines of a generator .truth file, sorted.
truth_tsv() {
	grep -v '^#' "$1" | LC_ALL=C sort
}

# truth_header FILE KEY: a "# key value" header value.
truth_header() {
	sed -n "s/^# $2 //p" "$1"
}

# summary_num TEXT: the first number after TEXT in the stderr summary.
summary_num() {
	sed -n "s/.*$1 \\([0-9][0-9]*\\).*/\\1/p" "$TMP/err" | head -n 1
}

# pcap_from_hex OUT FRAME_HEX...: writes a little-endian Ethernet pcap with
# one record per argument (hex digits, spaces ignored), timestamps 1 s apart
# from 2026-03-02T08:00:00Z (1772438400).
pcap_from_hex() {
	out=$1
	shift
	for frame in "$@"; do echo "$frame"; done | LC_ALL=C awk '
	function b(v) { printf "%c", v }
	function le32(v) { b(v % 256); b(int(v / 256) % 256); b(int(v / 65536) % 256); b(int(v / 16777216) % 256) }
	function le16(v) { b(v % 256); b(int(v / 256) % 256) }
	BEGIN {
		for (i = 0; i < 16; i++) hexval[substr("0123456789abcdef", i + 1, 1)] = i
		le32(2712847316); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
		t = 1772438400
	}
	{
		h = tolower($0); gsub(/[^0-9a-f]/, "", h)
		n = length(h) / 2
		le32(t + NR - 1); le32(0); le32(n); le32(n)
		for (i = 0; i < n; i++) b(hexval[substr(h, 2 * i + 1, 1)] * 16 + hexval[substr(h, 2 * i + 2, 1)])
	}' > "$out"
}

# A throwaway redis-server on the unix socket $SOCK (the test sets SOCK),
# no TCP port, nothing saved; its output goes to $TMP/redis.log.
REDIS_PID=

# start_redis [CONFIG_FILE] [OPTION...]: starts the server and returns once
# it answers PING (redis-cli; export REDISCLI_AUTH first if the default
# user has a password).  The test's own ACL and settings come in through
# CONFIG_FILE; OPTIONs go last, so they override the ones here (an AOF
# test's --appendonly yes).  A server that does not answer within 10 s
# fails the test.
start_redis() {
	_conf=
	if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
		_conf=$1
		shift
	fi
	: "${SOCK:?start_redis needs SOCK}"
	redis-server ${_conf:+"$_conf"} --port 0 --unixsocket "$SOCK" --unixsocketperm 700 \
		--save '' --appendonly no --daemonize no --dir "$TMP" "$@" >>"$TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	_n=0
	while [ $_n -lt 200 ]; do
		[ "$(redis-cli -s "$SOCK" PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
		_n=$((_n + 1))
	done
	fail "redis-server did not start: $(tail -n 3 "$TMP/redis.log")"
	finish
}

# stop_redis: kills the server (as a crash would: nothing flushed) and
# removes its socket; harmless when none runs.  Call it from the test's
# EXIT trap as well.
stop_redis() {
	if [ -n "$REDIS_PID" ]; then
		kill -9 "$REDIS_PID" 2>/dev/null
		wait "$REDIS_PID" 2>/dev/null
		REDIS_PID=
	fi
	rm -f "${SOCK:-}"
}

# replay_ns NS: makes the network namespace NS with a veth pair in it, vrep
# (where tcpreplay sends) and vsen (where edgewatch captures), both up and
# without IPv6 (the kernel's own router solicitations would be captured
# too).  Skips the test, with the reason, where it cannot: not root, no ip
# or tcpreplay, namespaces not allowed.  The caller deletes NS (trap).
replay_ns() {
	[ "$(id -u)" -eq 0 ] || { skip "not root: cannot make a network namespace"; finish; }
	command -v ip >/dev/null 2>&1 || { skip "ip (iproute2) not found"; finish; }
	command -v tcpreplay >/dev/null 2>&1 || { skip "tcpreplay not found"; finish; }
	ip netns add "$1" 2>/dev/null || { skip "cannot make a network namespace here"; finish; }
	ip -n "$1" link add vrep type veth peer name vsen
	ip -n "$1" link set vrep up
	ip -n "$1" link set vsen up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.vrep.disable_ipv6=1 \
		net.ipv6.conf.vsen.disable_ipv6=1
}
