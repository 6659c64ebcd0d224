#!/bin/sh
# test-reload.sh - SIGHUP reloads the fingerprint and detection rules
# while a capture streams in: a bad file is reported with its line and
# column and the running rules stay; a good one is taken, and the devices
# are classified again with it.
#
# The bundled smart-home capture is cut into three parts (editcap) and fed
# through a FIFO, one part per step, so each reload happens between known
# packets.
. "${EW_SRCDIR:?}/tests/lib.sh"

command -v editcap >/dev/null || { skip "editcap (Debian package wireshark-common) not installed"; finish; }
cap="$EW_SRCDIR/pcaps/smart-home.pcap"
editcap -F pcap -r "$cap" "$TMP/a.pcap" 1-500
editcap -F pcap -r "$cap" "$TMP/b.pcap" 501-900
editcap -F pcap -r "$cap" "$TMP/c.pcap" 901-2000
# Parts b and c continue the stream: their own file headers (24 bytes) go.
tail -c +25 "$TMP/b.pcap" > "$TMP/b.raw"
tail -c +25 "$TMP/c.pcap" > "$TMP/c.raw"

cp "$EW_SRCDIR/rules/devices.yaml" "$TMP/devices.yaml"
cp "$EW_SRCDIR/rules/detections.yaml" "$TMP/detections.yaml"
mkfifo "$TMP/fifo"
"$EDGEWATCH" -r "$TMP/fifo" --rules "$TMP/devices.yaml" --detections "$TMP/detections.yaml" \
	--models "$EW_SRCDIR/models" -o "$TMP/events.json" --inventory-json "$TMP/inventory.json" \
	2>"$TMP/err" &
pid=$!
exec 3>"$TMP/fifo"

# wait_for TEXT: until stderr holds TEXT (at most 10 s).
wait_for() {
	i=0
	while ! grep -qF -- "$1" "$TMP/err" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

cat "$TMP/a.pcap" >&3
# A rule with a key the language does not have: refused, the shipped rules stay.
printf 'rules:\n  - id: broken\n    class: camera\n    bogus: 1\n' > "$TMP/devices.yaml"
kill -HUP "$pid"
cat "$TMP/b.raw" >&3
wait_for "fingerprint rules not reloaded"
expect_eq "bad rules: one line with file, line and column" \
	"$(grep -c "fingerprint rules not reloaded, the running ones stay: $TMP/devices.yaml:4:5: " "$TMP/err")" 1
expect_eq "bad rules: the detection rules reload" \
	"$(grep -c "detection rules reloaded from $TMP/detections.yaml" "$TMP/err")" 1

# A good file that calls Hikvision's cameras recorders: taken.
printf 'rules:\n  - id: hik-as-nvr\n    class: nvr\n    weight: 70\n    when:\n      vendor: "Hangzhou Hikvision*"\n' \
	> "$TMP/devices.yaml"
kill -HUP "$pid"
cat "$TMP/c.raw" >&3
exec 3>&-
wait "$pid"
expect_eq "reloads: the run ends normally" "$?" 0
expect_eq "good rules: reloaded" "$(grep -c "fingerprint rules reloaded from $TMP/devices.yaml" "$TMP/err")" 1
expect_eq "good rules: the camera is classified by them" \
	"$(grep '"mac":"44:19:b6:3a:7c:01"' "$TMP/inventory.json" | grep -o '"class":"[a-z]*"')" '"class":"nvr"'
expect_eq "every packet was read" "$(sed -n 's/.*read, 0 failed; \([0-9]*\) packets,.*/\1/p' "$TMP/err")" \
	"$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p')"
finish
