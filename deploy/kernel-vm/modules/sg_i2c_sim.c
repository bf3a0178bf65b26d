// SPDX-License-Identifier: GPL-2.0
/*
 * sg_i2c_sim: an I2C adapter whose chips are 256-byte register files, for sensegate's kernel
 * tests. Unlike the kernel's i2c-stub (SMBus only), it also takes plain I2C messages, so the
 * I2C_RDWR path of /dev/i2c-N (command/read chips such as Sensirion's) runs against a real
 * kernel adapter.
 *
 * Semantics, per chip:
 *   plain write [p, d0, d1, ...]   the register pointer becomes p; d0, d1, ... are stored at
 *                                  p, p+1, ... (the pointer ends after the last one)
 *   plain read of n bytes          registers pointer, pointer+1, ... (wrapping at 0xff)
 *   SMBus byte, byte data, word data (little endian) and I2C block data: as on a register chip
 *   a message to an address with no chip: -ENXIO (a NACK, as i2c-stub and many adapters say)
 *
 * Module parameter chip_addr: up to 8 seven-bit addresses, e.g. chip_addr=0x44,0x62.
 */
#include <linux/errno.h>
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#define SG_MAX_CHIPS 8

static unsigned short chip_addr[SG_MAX_CHIPS];
static int chip_count;
module_param_array(chip_addr, ushort, &chip_count, 0444);
MODULE_PARM_DESC(chip_addr, "seven-bit addresses of the simulated chips (up to 8)");

struct sg_chip {
	u8 regs[256];
	u8 pointer;
};

static struct sg_chip *chips;
static DEFINE_MUTEX(sg_lock);

static struct sg_chip *sg_find(u16 addr)
{
	int i;

	for (i = 0; i < chip_count; i++)
		if (chip_addr[i] == addr)
			return &chips[i];
	return NULL;
}

static int sg_master_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	int n, j, ret = num;

	mutex_lock(&sg_lock);
	for (n = 0; n < num; n++) {
		struct i2c_msg *m = &msgs[n];
		struct sg_chip *c = sg_find(m->addr);

		if (!c || (m->flags & I2C_M_TEN)) {
			ret = -ENXIO;
			break;
		}
		if (m->flags & I2C_M_RD) {
			for (j = 0; j < m->len; j++)
				m->buf[j] = c->regs[c->pointer++];
		} else if (m->len > 0) {
			c->pointer = m->buf[0];
			for (j = 1; j < m->len; j++)
				c->regs[c->pointer++] = m->buf[j];
		}
	}
	mutex_unlock(&sg_lock);
	return ret;
}

static int sg_smbus_xfer(struct i2c_adapter *adap, u16 addr, unsigned short flags, char read_write,
			 u8 command, int size, union i2c_smbus_data *data)
{
	struct sg_chip *c;
	int j, len, ret = 0;

	mutex_lock(&sg_lock);
	c = sg_find(addr);
	if (!c) {
		ret = -ENXIO;
		goto out;
	}
	switch (size) {
	case I2C_SMBUS_QUICK:
		break;
	case I2C_SMBUS_BYTE:
		if (read_write == I2C_SMBUS_WRITE)
			c->pointer = command;
		else
			data->byte = c->regs[c->pointer++];
		break;
	case I2C_SMBUS_BYTE_DATA:
		if (read_write == I2C_SMBUS_WRITE)
			c->regs[command] = data->byte;
		else
			data->byte = c->regs[command];
		c->pointer = command + 1;
		break;
	case I2C_SMBUS_WORD_DATA:
		if (read_write == I2C_SMBUS_WRITE) {
			c->regs[command] = data->word & 0xff;
			c->regs[(u8)(command + 1)] = data->word >> 8;
		} else {
			data->word = c->regs[command] | (c->regs[(u8)(command + 1)] << 8);
		}
		c->pointer = command + 2;
		break;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		len = min_t(int, data->block[0], I2C_SMBUS_BLOCK_MAX);
		data->block[0] = len;
		for (j = 0; j < len; j++) {
			if (read_write == I2C_SMBUS_WRITE)
				c->regs[(u8)(command + j)] = data->block[j + 1];
			else
				data->block[j + 1] = c->regs[(u8)(command + j)];
		}
		c->pointer = command + len;
		break;
	default:
		ret = -EOPNOTSUPP;
	}
out:
	mutex_unlock(&sg_lock);
	return ret;
}

static u32 sg_functionality(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA |
	       I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK;
}

static const struct i2c_algorithm sg_algorithm = {
	.master_xfer = sg_master_xfer,
	.smbus_xfer = sg_smbus_xfer,
	.functionality = sg_functionality,
};

static struct i2c_adapter sg_adapter = {
	.owner = THIS_MODULE,
	.class = I2C_CLASS_HWMON,
	.algo = &sg_algorithm,
	.name = "sensegate i2c simulator",
};

static int __init sg_init(void)
{
	int i;

	for (i = 0; i < chip_count; i++) {
		if (chip_addr[i] < 0x03 || chip_addr[i] > 0x77) {
			pr_err("sg_i2c_sim: invalid chip address 0x%02x\n", chip_addr[i]);
			return -EINVAL;
		}
	}
	chips = kcalloc(max(chip_count, 1), sizeof(*chips), GFP_KERNEL);
	if (!chips)
		return -ENOMEM;
	return i2c_add_adapter(&sg_adapter);
}

static void __exit sg_exit(void)
{
	i2c_del_adapter(&sg_adapter);
	kfree(chips);
}

module_init(sg_init);
module_exit(sg_exit);
MODULE_DESCRIPTION("sensegate I2C register-file simulator with plain I2C transfers");
MODULE_LICENSE("GPL");
