/*
 * fingerprint-mqtt.h - an MQTT CONNECT packet, read for the hygiene audit:
 * whether a device logs in to its broker with a user name and password in
 * clear text, and whether that password is one anybody would try first.
 *
 * MQTT 3.1 ("MQIsdp", level 3), 3.1.1 and 5 ("MQTT", levels 4 and 5);
 * the packet is hostile input: every length is checked against the bytes
 * captured, and nothing past them is read.  Neither the user name nor
 * the password is kept or returned: the audit needs to know that they
 * crossed the wire in clear, not what they were.
 */
#ifndef EW_FINGERPRINT_MQTT_H
#define EW_FINGERPRINT_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mqtt_connect_result {
	MQTT_NOT_CONNECT = 0, /* not an MQTT CONNECT (another packet, another protocol) */
	MQTT_CONNECT_OK,      /* read whole */
	MQTT_CONNECT_PARTIAL, /* cut short (snap length, segment): the flags were read */
	MQTT_CONNECT_MALFORMED /* a CONNECT whose lengths or flags contradict themselves */
};

struct mqtt_connect {
	uint8_t level;      /* protocol level: 3, 4 or 5 */
	bool has_user;      /* the user name flag */
	bool has_password;  /* the password flag */
	/*
	 * The password was read and is weak (login_password_weak(): a
	 * default, empty, or the user name itself).  False when it was not
	 * read (PARTIAL).
	 */
	bool weak_password;
};

/* Reads the first len bytes of a TCP payload sent to a broker. */
enum mqtt_connect_result mqtt_connect_parse(const uint8_t *p, size_t len,
					    struct mqtt_connect *out);

#endif /* EW_FINGERPRINT_MQTT_H */
