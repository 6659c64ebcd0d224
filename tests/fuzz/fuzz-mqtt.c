/*
 * fuzz-mqtt.c - libFuzzer target for the MQTT CONNECT reader.
 *
 * The whole input is one TCP payload, copied into a heap buffer of
 * exactly its size so that AddressSanitizer sees a read of even one byte
 * past it.  After each parse the target checks the reader's promises and
 * traps when one is broken: the result in range; nothing known about a
 * payload that is not a CONNECT; a level of 3, 4 or 5 otherwise; a weak
 * password only when a password was there and read whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct mqtt_connect mc;
	enum mqtt_connect_result r;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	r = mqtt_connect_parse(copy, size, &mc);
	free(copy);
	if (r > MQTT_CONNECT_MALFORMED)
		__builtin_trap();
	if (r == MQTT_NOT_CONNECT && (mc.has_user || mc.has_password || mc.weak_password))
		__builtin_trap();
	if (r != MQTT_NOT_CONNECT && mc.level != 3 && mc.level != 4 && mc.level != 5 &&
	    r != MQTT_CONNECT_MALFORMED)
		__builtin_trap();
	if (mc.weak_password && (!mc.has_password || r != MQTT_CONNECT_OK))
		__builtin_trap();
	return 0;
}
