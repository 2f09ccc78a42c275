/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-machine.h: the small virtual machine around our display devices.
 *
 * Just enough of a PC for a paravirtual display device and its guest driver
 * to meet only where they meet in a real VM:
 *  - memory: guest RAM at GPA 0 and device BARs at fixed guest-physical
 *    addresses, each a memfd-backed mapping; the guest side sees them through
 *    vm_machine_gpa_to_host(), devices through their own region pointers;
 *  - port I/O: the guest's outb/inb go through vm_machine_outb/inb, which
 *    take the machine lock (QEMU's BQL) and call the device's handler on the
 *    guest's (vCPU) thread, like a VM exit;
 *  - PCI: each device publishes its identity, BARs and a 256-byte config
 *    space that the guest reads to probe it;
 *  - interrupts: one level-triggered line per device; the guest sleeps on it
 *    (no polling) until the level is high or a deadline passes;
 *  - reset and ACPI S3: a guest thread that enters S3 blocks until the host
 *    wakes the machine; the wake runs every device's hard reset (as QEMU's
 *    system_wakeup does) while guest RAM and BAR contents are kept.
 *
 * Threads: any thread may call these functions unless a comment says
 * otherwise.  Device handlers run with the machine lock held.
 */
#ifndef VM_MACHINE_H
#define VM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct VmMachine VmMachine;
typedef struct VmIrq VmIrq;

/* A piece of guest-physical memory backed by a memfd. */
typedef struct VmRegion {
    char name[32];
    uint64_t gpa;
    uint64_t size;
    uint8_t *host;
    int fd;
} VmRegion;

/* 4 GiB of guest-physical space: RAM from 0, BARs in the PCI hole. */
#define VM_PCI_HOLE_START UINT64_C(0xc0000000)
#define VM_MAX_REGIONS 16
#define VM_MAX_PCI_DEVICES 8
#define VM_MAX_PORT_RANGES 8
#define VM_PCI_CONFIG_SIZE 256
#define VM_PCI_BARS 6

typedef struct VmPciBar {
    uint64_t gpa;       /* address, or I/O port base when is_io */
    uint64_t size;
    bool is_io;
} VmPciBar;

typedef struct VmPciDevice VmPciDevice;
struct VmPciDevice {
    uint16_t vendor_id, device_id;
    uint8_t revision;
    uint32_t class_code;            /* 24 bits: class, subclass, prog-if */
    VmPciBar bars[VM_PCI_BARS];
    unsigned irq_line;
    /* Standard header filled by vm_machine_add_pci; devices add capabilities. */
    uint8_t config[VM_PCI_CONFIG_SIZE];
    /* Optional: the guest wrote config bytes [offset, offset + size). */
    void (*config_written)(VmPciDevice *pci, uint32_t offset, uint32_t size, void *opaque);
    void *opaque;
};

typedef void (*VmPortWriteFunc)(void *opaque, uint16_t offset, uint32_t value, unsigned size);
typedef uint32_t (*VmPortReadFunc)(void *opaque, uint16_t offset, unsigned size);

/* Device callbacks of the machine.  reset is the hard reset of a machine
 * reset (power-on, S3 wake), called with the machine lock held.  suspend
 * (optional) is called, with the machine lock held, as the guest enters S3:
 * the moment a device can audit what the guest left behind. */
typedef struct VmDeviceOps {
    const char *name;
    void (*reset)(void *opaque);
    void (*suspend)(void *opaque);
} VmDeviceOps;

typedef enum VmPowerState {
    VM_POWER_RUNNING,
    VM_POWER_SUSPENDED,     /* ACPI S3: the guest sleeps until a wake */
    VM_POWER_OFF,           /* shut down: blocked guests return */
} VmPowerState;

/* create/destroy: ram_size bytes of guest RAM at GPA 0 (at most the PCI
 * hole). NULL on failure (errno set). destroy(NULL) is fine. */
VmMachine *vm_machine_create(uint64_t ram_size);
void vm_machine_destroy(VmMachine *vm);

/* ---- memory ---- */
const VmRegion *vm_machine_ram(VmMachine *vm);
/* A zero-filled memfd region; NULL if it overlaps another or fails. */
VmRegion *vm_machine_add_region(VmMachine *vm, const char *name, uint64_t gpa, uint64_t size);
/* Host pointer for [gpa, gpa + size) if wholly inside one region, else NULL. */
void *vm_machine_gpa_to_host(VmMachine *vm, uint64_t gpa, uint64_t size);
/* The region holding [gpa, gpa + size), or NULL. */
const VmRegion *vm_machine_find_region(VmMachine *vm, uint64_t gpa, uint64_t size);

/* ---- the machine lock (QEMU's BQL) ---- */
void vm_machine_lock(VmMachine *vm);
void vm_machine_unlock(VmMachine *vm);

/* ---- port I/O ---- */
int vm_machine_map_ports(VmMachine *vm, uint16_t base, uint16_t count, VmPortWriteFunc write,
                         VmPortReadFunc read, void *opaque);
/* Guest side: a port access, dispatched under the machine lock on this
 * thread. Unmapped writes are dropped, unmapped reads return all ones. */
void vm_machine_out(VmMachine *vm, uint16_t port, uint32_t value, unsigned size);
uint32_t vm_machine_in(VmMachine *vm, uint16_t port, unsigned size);
#define vm_machine_outb(vm, port, value) vm_machine_out((vm), (port), (value), 1)

/* ---- PCI ---- */
/* Registers pci (owned by the caller, must outlive the machine) and fills
 * the standard header of its config space from the fields. -1 if full. */
int vm_machine_add_pci(VmMachine *vm, VmPciDevice *pci);
/* Guest side: the index-th device with these ids, or NULL. */
VmPciDevice *vm_machine_pci_find(VmMachine *vm, uint16_t vendor_id, uint16_t device_id,
                                 unsigned index);
/* Guest side: config space access (little-endian, bounds-checked). */
uint32_t vm_pci_config_read(VmMachine *vm, VmPciDevice *pci, uint32_t offset, unsigned size);
void vm_pci_config_write(VmMachine *vm, VmPciDevice *pci, uint32_t offset, uint32_t value,
                         unsigned size);

/* ---- interrupts ---- */
VmIrq *vm_machine_irq(VmMachine *vm, unsigned line); /* line < 16 */
void vm_irq_set_level(VmIrq *irq, bool high);
bool vm_irq_level(VmIrq *irq);
/* Guest side: sleeps until the line is high or deadline_us (monotonic, as
 * g_get_monotonic_time) passes. Returns the level. */
bool vm_irq_wait(VmIrq *irq, int64_t deadline_us);
uint64_t vm_irq_raise_count(VmIrq *irq); /* low-to-high transitions */

/* ---- devices, reset, ACPI S3 ---- */
int vm_machine_add_device(VmMachine *vm, const VmDeviceOps *ops, void *opaque);
/* Hard reset of every device (takes the machine lock). */
void vm_machine_reset(VmMachine *vm);
/* Guest side: enter S3. Blocks until vm_machine_wake (devices have been
 * reset by then: returns 0) or power-off (-1). */
int vm_machine_suspend(VmMachine *vm);
/* Host side: wake from S3: machine reset, then the guest runs on. -1 if the
 * machine was not suspended. */
int vm_machine_wake(VmMachine *vm);
void vm_machine_power_off(VmMachine *vm);
VmPowerState vm_machine_power_state(VmMachine *vm);
/* Host side: waits until the state is `want` or the deadline passes. */
bool vm_machine_wait_power_state(VmMachine *vm, VmPowerState want, int64_t deadline_us);
uint32_t vm_machine_wake_count(VmMachine *vm);

#endif /* VM_MACHINE_H */
