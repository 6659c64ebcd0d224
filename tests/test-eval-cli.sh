#!/bin/sh
# test-eval-cli.sh - edgewatch-eval: the printed summary, --json, the exit
# statuses of --require-detected and the --max options, usage errors,
# and -r with a stand-in edgewatch (arguments, failures, the temporary
# file removed) and with the real one.
. "${EW_SRCDIR:?}/tests/lib.sh"
: "${EDGEWATCH_EVAL:?run through make check}"

# Runs edgewatch-eval; sets RC and leaves stdout/stderr in $TMP/out and $TMP/err.
run_eval() {
	"$EDGEWATCH_EVAL" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# expect_line WHAT LINE: stdout has exactly this line.
expect_line() {
	if grep -qxF -- "$2" "$TMP/out"; then
		pass "$1"
	else
		fail "$1: no line '$2' in:"
		cat "$TMP/out" >&2
	fi
}

# T0 = 2026-03-02T08:00:00Z = 1772438400.  Two devices, two attacks:
#   scan   A 00:00:00:00:00:0a  [T0+100, T0+200]
#   beacon B 00:00:00:00:00:0b  [T0+300, T0+400]
cat > "$TMP/labels.csv" <<'EOF'
# hand-written
device,start,end,scenario
00:00:00:00:00:0a,1772438500,1772438600,scan
00:00:00:00:00:0b,1772438700.000000,1772438800,beacon
EOF

# Events (seconds after T0):
#   A alert opened 102.5 (closed 300): scan detected, latency 2.5 s
#   B anomaly opened 120 (closed 180): in scan's window, not B's: collateral
#   B anomaly opened 1200: past beacon's end + 60 s: a false alert
# Span: the first event at 0, the last at 43200 s (half a day); devices
# A and B: 2 x 0.5 = 1 device-day; 1 false alert per 1 device-day = 100
# per 100 device-days.  One line is not JSON.
A='"device":{"mac":"00:00:00:00:00:0a","key":"mac"}'
B='"device":{"mac":"00:00:00:00:00:0b","key":"mac"}'
cat > "$TMP/events.json" <<EOF
{"timestamp":"2026-03-02T08:00:00.000000+0000","event_type":"flow","src_ip":"10.0.0.9"}
{"timestamp":"2026-03-02T08:00:00.000000+0000","event_type":"device","event":"new","mac":"00:00:00:00:00:0a","key":"mac"}
{"timestamp":"2026-03-02T08:00:00.000000+0000","event_type":"device","event":"new","mac":"00:00:00:00:00:0b","key":"mac"}
{"timestamp":"2026-03-02T08:01:42.500000+0000","event_type":"alert",$A,"incident":{"id":"00000000000000a1","status":"opened","cause":"iot-telnet-outbound"},"alert":{"rule":"iot-telnet-outbound","severity":"high"}}
{"timestamp":"2026-03-02T08:02:00.000000Z","event_type":"anomaly",$B,"incident":{"id":"00000000000000b1","status":"opened","cause":"anomaly"},"anomaly":{"severity":"low"}}
{"timestamp":"2026-03-02T08:03:00.000000Z","event_type":"anomaly",$B,"incident":{"id":"00000000000000b1","status":"closed","cause":"anomaly"}}
{"timestamp":"2026-03-02T08:05:00.000000Z","event_type":"alert",$A,"incident":{"id":"00000000000000a1","status":"closed","cause":"iot-telnet-outbound"}}
{"timestamp":"2026-03-02T08:20:00.000000Z","event_type":"anomaly",$B,"incident":{"id":"00000000000000b2","status":"opened","cause":"anomaly"},"anomaly":{"severity":"medium"}}
{"timestamp":"2026-03-02T08:2
{"timestamp":"2026-03-02T20:00:00.000000Z","event_type":"flow"}
EOF

run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json"
expect_eq "evaluation status" "$RC" 0
expect_line "detected" "detected: 1 of 2"
expect_line "latency" "latency: median 2.500 s, max 2.500 s"
expect_line "false alerts" "false alerts: 1 (opened incidents 3: 1 on target, 1 collateral, 1 false)"
expect_line "device-days" "device-days: 1.000 (2 devices x 43200.000 s span / 86400)"
expect_line "false per 100 device-days" "false alerts per 100 device-days: 100.000"
expect_line "collateral" "collateral: 1"
expect_line "event counts" "events: 10 lines, 9 used, 0 too long, 1 malformed, 0 unusable, 0 dropped"
# The rows: scan detected by the rule, beacon not; B's 120 s counted as scan's collateral.
row=$(grep '^scan ' "$TMP/out" | tr -s ' ')
expect_eq "scan row" "$row" "scan 00:00:00:00:00:0a 1772438500.000000 yes 2.500 iot-telnet-outbound high 1"
row=$(grep '^beacon ' "$TMP/out" | tr -s ' ')
expect_eq "beacon row" "$row" "beacon 00:00:00:00:00:0b 1772438700.000000 no - - - 0"

# The same from stdin.
"$EDGEWATCH_EVAL" --labels "$TMP/labels.csv" --events - < "$TMP/events.json" > "$TMP/stdin.out"
expect_eq "stdin status" "$?" 0
cmp -s "$TMP/stdin.out" "$TMP/out" && pass "stdin gives the same report" || fail "stdin report differs"

# The limits.  Default tolerance: beacon undetected, 100 false per 100 device-days.
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --require-detected
expect_eq "--require-detected, one missed" "$RC" 1
grep -q 'limit not met: 1 of 2 scenarios not detected' "$TMP/err" && pass "missed scenario named" ||
	fail "require message: $(cat "$TMP/err")"
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-latency 60
expect_eq "--max-latency with a miss" "$RC" 1
grep -q 'beacon (line 4) not detected within 60 s' "$TMP/err" && pass "late scenario named" ||
	fail "max-latency message: $(cat "$TMP/err")"
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-median 2.5
expect_eq "--max-median 2.5 (median 2.5)" "$RC" 0
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-median 2.499999
expect_eq "--max-median 2.499999" "$RC" 1
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-false-per-100dd 100
expect_eq "--max-false-per-100dd 100 (is 100)" "$RC" 0
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-false-per-100dd 99.9
expect_eq "--max-false-per-100dd 99.9" "$RC" 1

# Tolerance 800 s: beacon's window reaches T0+1200, so B's 1200 s detects it
# (latency 1200 - 300 = 900 s) and is no longer false.  Median of 2.5 and
# 900 = 451.25.
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --tolerance 800 \
	--require-detected --max-latency 900 --max-median 451.25 --max-false-per-100dd 0
expect_eq "every limit met" "$RC" 0
expect_line "tolerance 800: detected" "detected: 2 of 2"
expect_line "tolerance 800: latency" "latency: median 451.250 s, max 900.000 s"
expect_line "tolerance 800: false" "false alerts per 100 device-days: 0.000"
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --tolerance 800 --max-latency 899.999
expect_eq "--max-latency just under" "$RC" 1
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --tolerance 800 --max-median 451.249
expect_eq "--max-median just under" "$RC" 1

# --json: one object on one line, with the same figures.
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --json
expect_eq "--json status" "$RC" 0
expect_eq "--json lines" "$(lines "$TMP/out")" 1
for want in '{"scenarios":[{"scenario":"scan","device":"00:00:00:00:00:0a","start_us":1772438500000000,' \
	'"detected":true,"latency_s":2.5,"already_open":false,"cause":"iot-telnet-outbound","severity":"high","collateral":1}' \
	'{"scenario":"beacon",' '"detected":false,"collateral":0}],"summary":{"scenarios":2,"detected":1,' \
	'"false_alerts":1,"devices":2,"span_s":43200,"device_days":1,"false_per_100_device_days":100,' \
	'"malformed":1,'; do
	grep -qF -- "$want" "$TMP/out" && pass "--json has $want" || fail "--json lacks $want: $(cat "$TMP/out")"
done

# Usage and input errors: status 2 and a message.
run_eval
expect_eq "no arguments" "$RC" 2
grep -q -- '--labels is required' "$TMP/err" && pass "missing --labels named" || fail "no-args message"
run_eval --labels "$TMP/labels.csv"
expect_eq "no events" "$RC" 2
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" -r x.pcap
expect_eq "--events and -r" "$RC" 2
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" stray
expect_eq "stray argument" "$RC" 2
grep -q "unexpected argument 'stray'" "$TMP/err" && pass "stray argument named" || fail "stray message"
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" -- -c x
expect_eq "edgewatch arguments without -r" "$RC" 2
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --tolerance -1
expect_eq "negative tolerance" "$RC" 2
run_eval --labels "$TMP/labels.csv" --events "$TMP/events.json" --max-latency 1e3
expect_eq "exponent in a limit" "$RC" 2
run_eval --labels "$TMP/labels.csv" --events "$TMP/nope.json"
expect_eq "missing events file" "$RC" 2
grep -q 'nope.json: No such file or directory' "$TMP/err" && pass "missing events named" ||
	fail "missing events message: $(cat "$TMP/err")"
printf 'device,start,end,scenario\n00:00:00:00:00:0a,1772438500,1772438600,scan\n10.0.0.1,5,4,x\n' \
	> "$TMP/bad.csv"
run_eval --labels "$TMP/bad.csv" --events "$TMP/events.json"
expect_eq "bad labels status" "$RC" 2
expect_eq "bad labels message" "$(cat "$TMP/err")" "edgewatch-eval: $TMP/bad.csv:3: end is before start"

# -r with a stand-in edgewatch: it records its arguments and writes the
# events file where -o says.
mkdir "$TMP/tmpd"
cat > "$TMP/fake-ew" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$TMP/fake-args"
while [ \$# -gt 0 ]; do
	if [ "\$1" = -o ]; then cp "$TMP/events.json" "\$2"; fi
	shift
done
exit \${FAKE_STATUS:-0}
EOF
chmod +x "$TMP/fake-ew"
TMPDIR="$TMP/tmpd" run_eval --labels "$TMP/labels.csv" --edgewatch "$TMP/fake-ew" -r cap.pcap -- -c my.yaml
expect_eq "-r status" "$RC" 0
expect_line "-r report" "detected: 1 of 2"
expect_eq "edgewatch arguments" "$(sed -n '1,4p;6,$p' "$TMP/fake-args" | tr '\n' ' ')" "-q -r cap.pcap -o -c my.yaml "
case $(sed -n 5p "$TMP/fake-args") in
"$TMP/tmpd/edgewatch-eval."*) pass "output in TMPDIR" ;;
*) fail "-o path: $(sed -n 5p "$TMP/fake-args")" ;;
esac
expect_eq "temporary file removed" "$(ls "$TMP/tmpd")" ""
# $EDGEWATCH is the fallback for --edgewatch.
EDGEWATCH="$TMP/fake-ew" run_eval --labels "$TMP/labels.csv" -r cap2.pcap
expect_eq "\$EDGEWATCH status" "$RC" 0
expect_eq "\$EDGEWATCH used" "$(sed -n 3p "$TMP/fake-args")" "cap2.pcap"
# edgewatch failing: status 3, its status named, the temporary file removed.
FAKE_STATUS=4 TMPDIR="$TMP/tmpd" run_eval --labels "$TMP/labels.csv" --edgewatch "$TMP/fake-ew" -r cap.pcap
expect_eq "edgewatch failed" "$RC" 3
grep -q 'failed on cap.pcap: exit status 4' "$TMP/err" && pass "edgewatch failure named" ||
	fail "failure message: $(cat "$TMP/err")"
expect_eq "temporary file removed after a failure" "$(ls "$TMP/tmpd")" ""
run_eval --labels "$TMP/labels.csv" --edgewatch "$TMP/no-such-ew" -r cap.pcap
expect_eq "edgewatch missing" "$RC" 3

# The real edgewatch on the smart-home capture: no attacks labelled, so
# the evaluation runs and reports 0 of 0; the capture's devices are counted.
printf 'device,start,end,scenario\n' > "$TMP/none.csv"
run_eval --labels "$TMP/none.csv" -r "$PCAPS/smart-home.pcap"
expect_eq "real run status" "$RC" 0
expect_line "real run: nothing to detect" "detected: 0 of 0"
expect_line "real run: no latency" "latency: median n/a, max n/a"
n=$(sed -n 's/^device-days: [0-9.]* (\([0-9]*\) devices.*/\1/p' "$TMP/out")
[ "${n:-0}" -gt 0 ] && pass "real run counted $n devices" || fail "real run devices: $(cat "$TMP/out")"

finish
