#include "CLinuxShim.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>

_Static_assert(I2C_SMBUS_BLOCK_MAX == 32, "SMBus block transfers are limited to 32 bytes");
_Static_assert(sizeof(((struct i2c_msg *)0)->len) == 2, "i2c_msg.len is 16 bits");

static int neg_errno(int rc) {
    /* libi2c returns -1 with errno set (older) or -errno (newer): accept both. */
    if (errno) return -errno;
    return rc < 0 ? rc : -EIO;
}

int sg_i2c_open(const char *path) {
    errno = 0;
    int fd;
    do { fd = open(path, O_RDWR | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

void sg_close(int fd) { if (fd >= 0) close(fd); }

int sg_i2c_rdwr(int fd, uint16_t addr, const uint8_t *wbuf, uint16_t wlen, uint8_t *rbuf, uint16_t rlen) {
    struct i2c_msg msgs[2];
    int n = 0;
    if (wlen) {
        msgs[n].addr = addr; msgs[n].flags = 0; msgs[n].len = wlen; msgs[n].buf = (uint8_t *)wbuf; n++;
    }
    if (rlen) {
        msgs[n].addr = addr; msgs[n].flags = I2C_M_RD; msgs[n].len = rlen; msgs[n].buf = rbuf; n++;
    }
    if (n == 0) return -EINVAL;
    struct i2c_rdwr_ioctl_data data = { msgs, (uint32_t)n };
    errno = 0;
    int rc = ioctl(fd, I2C_RDWR, &data);
    if (rc < 0) return -errno;
    return rc == n ? 0 : -EIO;
}

int sg_i2c_set_address(int fd, uint16_t addr) {
    errno = 0;
    return ioctl(fd, I2C_SLAVE, (unsigned long)addr) < 0 ? -errno : 0;
}

int sg_i2c_functionality(int fd, unsigned long *funcs) {
    errno = 0;
    return ioctl(fd, I2C_FUNCS, funcs) < 0 ? -errno : 0;
}

int sg_i2c_supports_rdwr(unsigned long funcs) { return (funcs & I2C_FUNC_I2C) != 0; }

int sg_smbus_quick_write(int fd) {
    errno = 0;
    int rc = i2c_smbus_write_quick(fd, I2C_SMBUS_WRITE);
    return rc < 0 ? neg_errno(rc) : 0;
}

int sg_smbus_read_byte(int fd) {
    errno = 0;
    int rc = i2c_smbus_read_byte(fd);
    return rc < 0 ? neg_errno(rc) : rc;
}

int sg_smbus_read_byte_data(int fd, uint8_t reg) {
    errno = 0;
    int rc = i2c_smbus_read_byte_data(fd, reg);
    return rc < 0 ? neg_errno(rc) : rc;
}

int sg_smbus_write_byte_data(int fd, uint8_t reg, uint8_t value) {
    errno = 0;
    int rc = i2c_smbus_write_byte_data(fd, reg, value);
    return rc < 0 ? neg_errno(rc) : 0;
}

int sg_smbus_read_word_data(int fd, uint8_t reg) {
    errno = 0;
    int rc = i2c_smbus_read_word_data(fd, reg);
    return rc < 0 ? neg_errno(rc) : rc;
}

int sg_smbus_write_word_data(int fd, uint8_t reg, uint16_t value) {
    errno = 0;
    int rc = i2c_smbus_write_word_data(fd, reg, value);
    return rc < 0 ? neg_errno(rc) : 0;
}

int sg_smbus_read_block(int fd, uint8_t reg, uint8_t len, uint8_t *out) {
    if (len > I2C_SMBUS_BLOCK_MAX) return -EINVAL;
    errno = 0;
    int rc = i2c_smbus_read_i2c_block_data(fd, reg, len, out);
    return rc < 0 ? neg_errno(rc) : rc;
}

int sg_smbus_write_block(int fd, uint8_t reg, uint8_t len, const uint8_t *data) {
    if (len > I2C_SMBUS_BLOCK_MAX) return -EINVAL;
    errno = 0;
    int rc = i2c_smbus_write_i2c_block_data(fd, reg, len, data);
    return rc < 0 ? neg_errno(rc) : 0;
}

int sg_smbus_block_max(void) { return I2C_SMBUS_BLOCK_MAX; }

int sg_sd_notify(const char *socket_path, const char *message) {
    if (!socket_path || !*socket_path) return 0;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = strlen(socket_path);
    if (len >= sizeof sa.sun_path) return -ENAMETOOLONG;
    memcpy(sa.sun_path, socket_path, len);
    if (sa.sun_path[0] == '@') sa.sun_path[0] = '\0';
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    errno = 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    ssize_t sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
    int e = sent < 0 ? -errno : 0;
    close(fd);
    return e;
}

size_t sg_heap_in_use(void) { return mallinfo2().uordblks; }

size_t sg_heap_free(void) { return mallinfo2().fordblks; }

int sg_heap_release(void) { return malloc_trim(0); }
