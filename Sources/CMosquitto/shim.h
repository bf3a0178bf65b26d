#ifndef SENSEGATE_CMOSQUITTO_SHIM_H
#define SENSEGATE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Sends the TCP acknowledgement of what was just read from the broker now, not after the
 * delayed-ACK timer (Linux TCP_QUICKACK flushes a scheduled ACK). A broker with Nagle's
 * algorithm on (mosquitto's default) holds its next small packet until the previous one is
 * acknowledged, so without this a command behind a PUBACK waits ~40 ms. Returns 0, or -1 with
 * errno; a client without a socket has nothing to acknowledge. */
static inline int sg_mosquitto_quickack(struct mosquitto *mosq) {
    int fd = mosquitto_socket(mosq);
    if (fd < 0) return 0;
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}
#endif
