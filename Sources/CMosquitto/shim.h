#ifndef SENSEGATE_CMOSQUITTO_SHIM_H
#define SENSEGATE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
