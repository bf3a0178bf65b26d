// Linux calls Swift cannot make directly: the variadic ioctl for i2c-dev, libi2c's SMBus
// helpers, the sd_notify datagram and glibc's heap statistics. Every call returns 0 (or a
// count) on success and -errno on failure, so Swift never reads errno itself.
#ifndef SENSEGATE_CLINUXSHIM_H
#define SENSEGATE_CLINUXSHIM_H
#include <stdint.h>
#include <stddef.h>

int sg_i2c_open(const char *path);
void sg_close(int fd);
/* One combined transaction: a write of wlen bytes, a repeated START, a read of rlen bytes.
   wlen == 0 gives a plain read, rlen == 0 a plain write. */
int sg_i2c_rdwr(int fd, uint16_t addr, const uint8_t *wbuf, uint16_t wlen, uint8_t *rbuf, uint16_t rlen);
int sg_i2c_set_address(int fd, uint16_t addr);
int sg_i2c_functionality(int fd, unsigned long *funcs);
int sg_i2c_supports_rdwr(unsigned long funcs);
int sg_smbus_quick_write(int fd);
int sg_smbus_read_byte(int fd);
int sg_smbus_read_byte_data(int fd, uint8_t reg);
int sg_smbus_write_byte_data(int fd, uint8_t reg, uint8_t value);
int sg_smbus_read_word_data(int fd, uint8_t reg);
int sg_smbus_write_word_data(int fd, uint8_t reg, uint16_t value);
int sg_smbus_read_block(int fd, uint8_t reg, uint8_t len, uint8_t *out);
int sg_smbus_write_block(int fd, uint8_t reg, uint8_t len, const uint8_t *data);
int sg_smbus_block_max(void);

/* sd_notify(3) datagram protocol; path may start with '@' (abstract namespace). */
int sg_sd_notify(const char *socket_path, const char *message);

/* glibc's heap, over all its arenas: bytes handed out and not freed, bytes free inside the
 * arenas (held from the kernel), and malloc_trim(3), which gives free pages back. */
size_t sg_heap_in_use(void);
size_t sg_heap_free(void);
int sg_heap_release(void);
#endif
