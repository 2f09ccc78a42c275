/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gbus.h: the guest-side bus, all a guest sees of the machine it runs in.
 *
 * A real guest reaches hardware through a handful of instructions and
 * firmware tables: port in/out, loads and stores to guest-physical
 * memory, PCI configuration cycles, an interrupt it halts on, and the ACPI
 * sleep request.  This header is that much and no more, so that the guest
 * (guest-kms/) never names the machine's types and the machine
 * (qemu-hw-qxl/machine/vm-bus.c) never names the guest's: either can be
 * replaced, as a guest image is replaced under real firmware.
 *
 * Devices are found by vendor/device id (the bus walk a guest's PCI core
 * does); BAR addresses and sizes come from the machine's enumeration, the
 * rest of the device only from its own config space and BARs (see the
 * device ABIs: <spice/qxl_dev.h>, <linux/virtio_pci.h>).
 *
 * Threads: every call may be made from any guest (vCPU) thread; a port
 * access runs the device's handler on the calling thread, like a VM exit.
 */
#ifndef GBUS_H
#define GBUS_H

#include <stdbool.h>
#include <stdint.h>

/* A PCI function, as the machine's bus knows it (opaque to the guest). */
typedef struct GbusPci GbusPci;

#define GBUS_PCI_BARS 6

typedef struct GbusPciBar {
    uint64_t addr;              /* guest-physical address, or I/O port base when is_io */
    uint64_t size;              /* 0: the BAR is not implemented */
    bool is_io;
} GbusPciBar;

typedef struct GbusOps {
    /* Port I/O of size 1, 2 or 4 bytes. Unmapped reads return all ones. */
    uint32_t (*port_in)(void *machine, uint16_t port, unsigned size);
    void (*port_out)(void *machine, uint16_t port, uint32_t value, unsigned size);
    /* Pointer to [gpa, gpa + size) if it lies wholly in RAM or one BAR,
     * else NULL. Valid for the machine's lifetime. */
    void *(*phys_to_ptr)(void *machine, uint64_t gpa, uint64_t size);
    /* The index-th function with these ids, or NULL. */
    GbusPci *(*pci_find)(void *machine, uint16_t vendor_id, uint16_t device_id, unsigned index);
    /* Config space access (little-endian; out of range reads all ones). */
    uint32_t (*pci_config_read)(void *machine, GbusPci *pci, uint32_t offset, unsigned size);
    void (*pci_config_write)(void *machine, GbusPci *pci, uint32_t offset, uint32_t value,
                             unsigned size);
    /* BAR index (< GBUS_PCI_BARS) as the machine enumerated it; -1 if out of range. */
    int (*pci_bar)(void *machine, GbusPci *pci, unsigned index, GbusPciBar *out);
    /* Sleeps until interrupt line `line` is high or deadline_us
     * (monotonic, g_get_monotonic_time's clock) passes. Returns the level. */
    bool (*irq_wait)(void *machine, unsigned line, int64_t deadline_us);
    /* ACPI S3: blocks until the machine wakes (every device has been reset
     * by then: 0) or powers off (-1). */
    int (*sleep)(void *machine);
} GbusOps;

/* The bus handed to a guest; the machine owns it and keeps it valid until
 * the guest is gone. */
typedef struct Gbus {
    const GbusOps *ops;
    void *machine;
    uint64_t ram_size;          /* guest RAM at guest-physical 0 */
} Gbus;

static inline uint32_t gbus_in(const Gbus *bus, uint16_t port, unsigned size)
{
    return bus->ops->port_in(bus->machine, port, size);
}

static inline void gbus_out(const Gbus *bus, uint16_t port, uint32_t value, unsigned size)
{
    bus->ops->port_out(bus->machine, port, value, size);
}

static inline void *gbus_phys_to_ptr(const Gbus *bus, uint64_t gpa, uint64_t size)
{
    return bus->ops->phys_to_ptr(bus->machine, gpa, size);
}

static inline GbusPci *gbus_pci_find(const Gbus *bus, uint16_t vendor_id, uint16_t device_id,
                                     unsigned index)
{
    return bus->ops->pci_find(bus->machine, vendor_id, device_id, index);
}

static inline uint32_t gbus_pci_config_read(const Gbus *bus, GbusPci *pci, uint32_t offset,
                                            unsigned size)
{
    return bus->ops->pci_config_read(bus->machine, pci, offset, size);
}

static inline void gbus_pci_config_write(const Gbus *bus, GbusPci *pci, uint32_t offset,
                                         uint32_t value, unsigned size)
{
    bus->ops->pci_config_write(bus->machine, pci, offset, value, size);
}

static inline int gbus_pci_bar(const Gbus *bus, GbusPci *pci, unsigned index, GbusPciBar *out)
{
    return bus->ops->pci_bar(bus->machine, pci, index, out);
}

static inline bool gbus_irq_wait(const Gbus *bus, unsigned line, int64_t deadline_us)
{
    return bus->ops->irq_wait(bus->machine, line, deadline_us);
}

static inline int gbus_sleep(const Gbus *bus)
{
    return bus->ops->sleep(bus->machine);
}

#endif /* GBUS_H */
