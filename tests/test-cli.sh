#!/bin/sh
# test-cli.sh - command line: version, help, config check, usage errors.
. "${EW_SRCDIR:?}/tests/lib.sh"

run_ew --version
expect_eq "--version status" "$RC" 0
grep -q '^edgewatch [0-9][0-9.]* (nDPI 4\.' "$TMP/out" && pass "--version names nDPI" ||
	fail "--version output: $(cat "$TMP/out")"

run_ew --help
expect_eq "--help status" "$RC" 0
grep -q -- '-r, --read FILE' "$TMP/out" && pass "--help lists -r" || fail "--help text"

run_ew
expect_eq "no input status" "$RC" 2
grep -q 'no input' "$TMP/err" && pass "no input message" || fail "no input message: $(cat "$TMP/err")"

run_ew --no-such-option
expect_eq "unknown option status" "$RC" 2

run_ew -r a.pcap extra-arg
expect_eq "stray argument status" "$RC" 2
grep -q "unexpected argument 'extra-arg'" "$TMP/err" && pass "stray argument named" ||
	fail "stray argument message: $(cat "$TMP/err")"

# The embedded default configuration is valid and round-trips through -n.
run_ew --dump-config
expect_eq "--dump-config status" "$RC" 0
cp "$TMP/out" "$TMP/default.yaml"
grep -q 'max_flows' "$TMP/default.yaml" && pass "default config documents max_flows" ||
	fail "default config lacks max_flows"
run_ew -n -c "$TMP/default.yaml"
expect_eq "-n on the dumped default" "$RC" 0
grep -q 'configuration OK' "$TMP/out" && pass "-n says OK" || fail "-n output: $(cat "$TMP/out")"

# A bad configuration: exit 3, one line naming file, line and column.
printf 'flow:\n  max_flows: 0\n' > "$TMP/bad.yaml"
run_ew -n -c "$TMP/bad.yaml"
expect_eq "-n on a bad config" "$RC" 3
expect_eq "bad config message lines" "$(wc -l < "$TMP/err" | tr -d ' ')" 1
grep -q "$TMP/bad.yaml:2:[0-9]*: .*max_flows" "$TMP/err" && pass "bad config names file:line" ||
	fail "bad config message: $(cat "$TMP/err")"

printf 'flow:\n  max_flow: 10\n' > "$TMP/typo.yaml"
run_ew -n -c "$TMP/typo.yaml"
expect_eq "unknown key status" "$RC" 3
grep -q "typo.yaml:2:.*unknown key 'flow.max_flow'" "$TMP/err" && pass "unknown key named" ||
	fail "unknown key message: $(cat "$TMP/err")"

run_ew -n -c "$TMP/missing.yaml"
expect_eq "missing config status" "$RC" 3

# An invalid BPF filter stops the run before any output.
run_ew -r "$PCAPS/smart-home.pcap" -f 'tcp port nonsense' -o "$TMP/f.json"
expect_eq "bad BPF status" "$RC" 3
grep -q "invalid BPF filter 'tcp port nonsense'" "$TMP/err" && pass "bad BPF message" ||
	fail "bad BPF message: $(cat "$TMP/err")"
[ ! -s "$TMP/f.json" ] && pass "no output after bad BPF" || fail "output written after bad BPF"

# On a terminal, a progress bar is drawn while a large file is read, and
# cleared before the summary; -q draws none.  script(1) provides the tty.
if command -v script >/dev/null 2>&1 && [ -n "${PCAPGEN:-}" ]; then
	"$PCAPGEN" flood --flows 20000 -o "$TMP/20k.pcap"
	script -qec "$EDGEWATCH -r $TMP/20k.pcap -o /dev/null" /dev/null > "$TMP/tty.txt" 2>&1
	grep -q '\[#*\.*\] *[0-9]*% [0-9]* packets' "$TMP/tty.txt" && pass "progress bar drawn on a tty" ||
		fail "no progress bar on a tty: $(head -c 300 "$TMP/tty.txt")"
	grep -q '20000 packets' "$TMP/tty.txt" && pass "summary after the bar" || fail "no summary on the tty"
	script -qec "$EDGEWATCH -q -r $TMP/20k.pcap -o /dev/null" /dev/null > "$TMP/tty-q.txt" 2>&1
	expect_eq "-q output on a tty" "$(wc -c < "$TMP/tty-q.txt" | tr -d ' ')" 0
else
	echo "note: script(1) or the generator missing; progress bar not checked"
fi

finish
