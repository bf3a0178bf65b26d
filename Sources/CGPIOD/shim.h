// A version-neutral seam over libgpiod: v1 (Debian 12, Raspberry Pi OS bookworm, soname .so.2)
// and v2 (newer OSes, .so.3). Neither header carries a version macro; v1 alone defines
// GPIOD_LINE_BULK_MAX_LINES. Swift sees only the cgpiod_* calls below. Levels are physical:
// active-low inversion is done in Swift so that both APIs behave the same.
#ifndef SENSEGATE_CGPIOD_SHIM_H
#define SENSEGATE_CGPIOD_SHIM_H
#include <gpiod.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Edge events the kernel may queue per line (libgpiod v2 only; v1 has a fixed 16). */
#define CGPIOD_EVENT_BUFFER 1024

enum { CGPIOD_BIAS_AS_IS = 0, CGPIOD_BIAS_DISABLE = 1, CGPIOD_BIAS_PULL_UP = 2, CGPIOD_BIAS_PULL_DOWN = 3 };

typedef struct {
    int rising;         // 1 rising, 0 falling
    uint64_t ts_ns;     // kernel timestamp (CLOCK_MONOTONIC), nanoseconds
    uint64_t seqno;     // kernel line sequence number (v2); 0 when the API has none (v1)
} cgpiod_event;

typedef struct {
    void *chip;
    void *handle;       // v1: struct gpiod_line *; v2: struct gpiod_line_request *
    void *buffer;       // v2: struct gpiod_edge_event_buffer *
    unsigned int offset;
} cgpiod_line;

static inline int cgpiod_err(void) { return errno ? -errno : -EIO; }

#if defined(GPIOD_LINE_BULK_MAX_LINES) /* ---------------- libgpiod v1 ---------------- */

static inline int cgpiod_api_version(void) { return 1; }

static inline int cgpiod_v1_bias_flags(int bias) {
    switch (bias) {
    case CGPIOD_BIAS_DISABLE: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    case CGPIOD_BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    case CGPIOD_BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    default: return 0;
    }
}

static inline int cgpiod_chip_lines(const char *path) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return cgpiod_err();
    int n = (int)gpiod_chip_num_lines(chip);
    gpiod_chip_close(chip);
    return n;
}

static inline int cgpiod_v1_line(const char *path, unsigned int offset, cgpiod_line *out) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return cgpiod_err();
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    if (!line) { int e = cgpiod_err(); gpiod_chip_close(chip); return e; }
    out->chip = chip; out->handle = line; out->buffer = NULL; out->offset = offset;
    return 0;
}

static inline int cgpiod_request_input(const char *path, unsigned int offset, int bias,
                                       const char *consumer, cgpiod_line *out) {
    int rc = cgpiod_v1_line(path, offset, out);
    if (rc) return rc;
    errno = 0;
    if (gpiod_line_request_both_edges_events_flags((struct gpiod_line *)out->handle, consumer,
                                                   cgpiod_v1_bias_flags(bias)) < 0) {
        int e = cgpiod_err(); gpiod_chip_close((struct gpiod_chip *)out->chip); return e;
    }
    return 0;
}

static inline int cgpiod_request_output(const char *path, unsigned int offset, int initial,
                                        const char *consumer, cgpiod_line *out) {
    int rc = cgpiod_v1_line(path, offset, out);
    if (rc) return rc;
    errno = 0;
    if (gpiod_line_request_output((struct gpiod_line *)out->handle, consumer, initial ? 1 : 0) < 0) {
        int e = cgpiod_err(); gpiod_chip_close((struct gpiod_chip *)out->chip); return e;
    }
    return 0;
}

/* 1: events ready, 0: timeout, <0: -errno */
static inline int cgpiod_wait(cgpiod_line *l, int64_t timeout_ns) {
    struct timespec ts = { (time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL) };
    errno = 0;
    int rc = gpiod_line_event_wait((struct gpiod_line *)l->handle, &ts);
    return rc < 0 ? cgpiod_err() : rc;
}

/* number of events read into buf, or -errno */
static inline int cgpiod_read_events(cgpiod_line *l, cgpiod_event *buf, unsigned int max) {
    struct gpiod_line_event ev[16];
    if (max > 16) max = 16;
    errno = 0;
    int n = gpiod_line_event_read_multiple((struct gpiod_line *)l->handle, ev, max);
    if (n < 0) return cgpiod_err();
    for (int i = 0; i < n; i++) {
        buf[i].rising = ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        buf[i].ts_ns = (uint64_t)ev[i].ts.tv_sec * 1000000000ULL + (uint64_t)ev[i].ts.tv_nsec;
        buf[i].seqno = 0;
    }
    return n;
}

static inline int cgpiod_get_value(cgpiod_line *l) {
    errno = 0;
    int v = gpiod_line_get_value((struct gpiod_line *)l->handle);
    return v < 0 ? cgpiod_err() : v;
}

static inline int cgpiod_set_value(cgpiod_line *l, int value) {
    errno = 0;
    return gpiod_line_set_value((struct gpiod_line *)l->handle, value ? 1 : 0) < 0 ? cgpiod_err() : 0;
}

static inline void cgpiod_release(cgpiod_line *l) {
    if (l->handle) gpiod_line_release((struct gpiod_line *)l->handle);
    if (l->chip) gpiod_chip_close((struct gpiod_chip *)l->chip);
    l->handle = NULL; l->chip = NULL;
}

#else /* ------------------------------------------- libgpiod v2 ------------------------------------ */

static inline int cgpiod_api_version(void) { return 2; }

static inline int cgpiod_chip_lines(const char *path) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return cgpiod_err();
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
    int n = info ? (int)gpiod_chip_info_get_num_lines(info) : cgpiod_err();
    if (info) gpiod_chip_info_free(info);
    gpiod_chip_close(chip);
    return n;
}

static inline int cgpiod_v2_request(const char *path, unsigned int offset, int output, int initial,
                                    int bias, const char *consumer, cgpiod_line *out) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) return cgpiod_err();
    struct gpiod_line_settings *s = gpiod_line_settings_new();
    struct gpiod_line_config *lc = gpiod_line_config_new();
    struct gpiod_request_config *rc = gpiod_request_config_new();
    struct gpiod_line_request *req = NULL;
    int e = -ENOMEM;
    if (s && lc && rc) {
        if (output) {
            gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT);
            gpiod_line_settings_set_output_value(s, initial ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
        } else {
            gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT);
            gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH);
            gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC);
            switch (bias) {
            case CGPIOD_BIAS_DISABLE: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_DISABLED); break;
            case CGPIOD_BIAS_PULL_UP: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_UP); break;
            case CGPIOD_BIAS_PULL_DOWN: gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_DOWN); break;
            default: break;
            }
        }
        gpiod_request_config_set_consumer(rc, consumer);
        /* The kernel queues 16 events per line by default; a burst from a flow meter or a
           chattering contact overflows that while the reader sleeps. */
        if (!output) gpiod_request_config_set_event_buffer_size(rc, CGPIOD_EVENT_BUFFER);
        errno = 0;
        if (gpiod_line_config_add_line_settings(lc, &offset, 1, s) == 0)
            req = gpiod_chip_request_lines(chip, rc, lc);
        e = req ? 0 : cgpiod_err();
    }
    if (s) gpiod_line_settings_free(s);
    if (lc) gpiod_line_config_free(lc);
    if (rc) gpiod_request_config_free(rc);
    if (!req) { gpiod_chip_close(chip); return e; }
    out->chip = chip; out->handle = req; out->offset = offset;
    out->buffer = output ? NULL : gpiod_edge_event_buffer_new(64);
    return 0;
}

static inline int cgpiod_request_input(const char *path, unsigned int offset, int bias,
                                       const char *consumer, cgpiod_line *out) {
    return cgpiod_v2_request(path, offset, 0, 0, bias, consumer, out);
}

static inline int cgpiod_request_output(const char *path, unsigned int offset, int initial,
                                        const char *consumer, cgpiod_line *out) {
    return cgpiod_v2_request(path, offset, 1, initial, CGPIOD_BIAS_AS_IS, consumer, out);
}

static inline int cgpiod_wait(cgpiod_line *l, int64_t timeout_ns) {
    errno = 0;
    int rc = gpiod_line_request_wait_edge_events((struct gpiod_line_request *)l->handle, timeout_ns);
    return rc < 0 ? cgpiod_err() : rc;
}

static inline int cgpiod_read_events(cgpiod_line *l, cgpiod_event *buf, unsigned int max) {
    if (max > 64) max = 64;
    errno = 0;
    int n = gpiod_line_request_read_edge_events((struct gpiod_line_request *)l->handle,
                                                (struct gpiod_edge_event_buffer *)l->buffer, max);
    if (n < 0) return cgpiod_err();
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *ev = gpiod_edge_event_buffer_get_event((struct gpiod_edge_event_buffer *)l->buffer, (unsigned long)i);
        buf[i].rising = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
        buf[i].ts_ns = gpiod_edge_event_get_timestamp_ns(ev);
        buf[i].seqno = gpiod_edge_event_get_line_seqno(ev);
    }
    return n;
}

static inline int cgpiod_get_value(cgpiod_line *l) {
    errno = 0;
    int v = (int)gpiod_line_request_get_value((struct gpiod_line_request *)l->handle, l->offset);
    return v < 0 ? cgpiod_err() : v;
}

static inline int cgpiod_set_value(cgpiod_line *l, int value) {
    errno = 0;
    return gpiod_line_request_set_value((struct gpiod_line_request *)l->handle, l->offset,
               value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0 ? cgpiod_err() : 0;
}

static inline void cgpiod_release(cgpiod_line *l) {
    if (l->handle) gpiod_line_request_release((struct gpiod_line_request *)l->handle);
    if (l->buffer) gpiod_edge_event_buffer_free((struct gpiod_edge_event_buffer *)l->buffer);
    if (l->chip) gpiod_chip_close((struct gpiod_chip *)l->chip);
    l->handle = NULL; l->buffer = NULL; l->chip = NULL;
}

#endif
#endif
