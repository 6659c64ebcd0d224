#!/bin/sh
# test-logins.sh - passwords sent in clear, found by the hygiene audit:
# two hand-made TCP sessions (frames written out below, byte for byte),
#   1. 192.168.1.50 -> 192.168.1.60:80, an HTTP GET with
#      "Authorization: Basic YWRtaW46YWRtaW4=" (RFC 4648: admin:admin);
#   2. 192.168.1.51 -> 192.168.1.61:1883, an MQTT 3.1.1 CONNECT with user
#      "plug-7x" and the same as password.
# Both passwords are weak (a listed default; the user name): each client
# gets cleartext_credentials and weak_credentials, the servers neither.
# tshark's own dissectors confirm what the frames carry.
. "${EW_SRCDIR:?}/tests/lib.sh"

pcap_from_hex "$TMP/logins.pcap" \
	020000000060020000000050080045000028000140004006b710c0a80132c0a8013c9c400050000003e8000000005002ffff8bab0000 \
	020000000050020000000060080045000028000140004006b710c0a8013cc0a8013200509c4000001388000003e95012ffff78120000 \
	020000000060020000000050080045000081000140004006b6b7c0a80132c0a8013c9c400050000003e9000013895018ffff40ee0000474554202f736e617073686f742e6a706720485454502f312e310d0a486f73743a203139322e3136382e312e36300d0a417574686f72697a6174696f6e3a204261736963205957527461573436595752746157343d0d0a0d0a \
	020000000050020000000060080045000028000140004006b710c0a8013cc0a8013200509c4000001389000004425010ffff77ba0000 \
	020000000061020000000051080045000028000140004006b70ec0a80133c0a8013d9c41075b000007d0000000005002ffff80b50000 \
	020000000051020000000061080045000028000140004006b70ec0a8013dc0a80133075b9c4100001b58000007d15012ffff654c0000 \
	02000000006102000000005108004500004e000140004006b6e8c0a80133c0a8013d9c41075b000007d100001b595018fffffdaa0000102400044d51545404c2003c0006706c75672d310007706c75672d37780007706c75672d3778 \
	02000000005102000000006108004500002c000140004006b70ac0a8013dc0a80133075b9c4100001b59000007f75018ffff4519000020020000

if command -v tshark >/dev/null 2>&1; then
	expect_eq "tshark: the HTTP request's Basic credentials" \
		"$(tshark -r "$TMP/logins.pcap" -Y http.authbasic -T fields -e http.authbasic 2>/dev/null)" \
		"admin:admin"
	expect_eq "tshark: the MQTT CONNECT's login" \
		"$(tshark -r "$TMP/logins.pcap" -d tcp.port==1883,mqtt -Y 'mqtt.msgtype == 1' -T fields \
			-e mqtt.username -e mqtt.passwd 2>/dev/null | tr '\t' ' ')" \
		"plug-7x plug-7x"
fi

"$EDGEWATCH" -q -r "$TMP/logins.pcap" -o "$TMP/events.json" 2>"$TMP/err"
expect_eq "edgewatch exit status" "$?" 0
# findings MAC: the device's findings, from its posture events, sorted.
findings() {
	grep '"event_type":"posture"' "$TMP/events.json" | grep "\"mac\":\"$1\"" |
		sed -n 's/.*"new":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | tr -d '"' | sort -u | tr '\n' ' '
}
expect_eq "HTTP client: a weak password in clear" "$(findings 02:00:00:00:00:50)" \
	"cleartext_credentials weak_credentials "
expect_eq "MQTT client: a weak password in clear, and MQTT without TLS" \
	"$(findings 02:00:00:00:00:51)" "cleartext_credentials mqtt_clear weak_credentials "
expect_eq "the HTTP server gave no password away" \
	"$(findings 02:00:00:00:00:60 | grep -c weak_credentials)" 0
expect_eq "the broker gave no password away" \
	"$(findings 02:00:00:00:00:61 | grep -c weak_credentials)" 0
expect_eq "no user name or password in the output" \
	"$(grep -c 'plug-7x\|admin:admin\|YWRtaW46' "$TMP/events.json")" 0
finish
