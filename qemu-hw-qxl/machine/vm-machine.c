/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-machine.c: memory regions, port I/O, PCI, interrupt lines, reset and
 * ACPI S3 of the small VM. */
#include "config.h"

#include "vm-machine.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vm-log.h"

#define VM_IRQ_LINES 16
#define VM_MAX_DEVICES 8

struct VmIrq {
    GMutex lock;
    GCond cond;
    bool level;
    uint64_t raises;
};

typedef struct VmPortRange {
    uint16_t base, count;
    VmPortWriteFunc write;
    VmPortReadFunc read;
    void *opaque;
} VmPortRange;

typedef struct VmDevice {
    const VmDeviceOps *ops;
    void *opaque;
} VmDevice;

struct VmMachine {
    GRecMutex bql;  /* recursive: a device reset may run inside a port write */
    VmRegion regions[VM_MAX_REGIONS];
    unsigned num_regions;
    VmPortRange ports[VM_MAX_PORT_RANGES];
    unsigned num_ports;
    VmPciDevice *pci[VM_MAX_PCI_DEVICES];
    unsigned num_pci;
    VmIrq irqs[VM_IRQ_LINES];
    VmDevice devices[VM_MAX_DEVICES];
    unsigned num_devices;

    GMutex power_lock;
    GCond power_cond;
    VmPowerState power;
    uint32_t wakes;
};

static int region_init(VmRegion *r, const char *name, uint64_t gpa, uint64_t size)
{
    memset(r, 0, sizeof(*r));
    g_strlcpy(r->name, name, sizeof(r->name));
    r->fd = memfd_create(r->name, MFD_CLOEXEC);
    if (r->fd < 0) {
        return -1;
    }
    if (ftruncate(r->fd, (off_t)size) != 0) {
        close(r->fd);
        return -1;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
    if (p == MAP_FAILED) {
        close(r->fd);
        return -1;
    }
    r->host = p;
    r->gpa = gpa;
    r->size = size;
    return 0;
}

VmMachine *vm_machine_create(uint64_t ram_size)
{
    if (ram_size == 0 || ram_size > VM_PCI_HOLE_START || ram_size % 4096 != 0) {
        errno = EINVAL;
        return NULL;
    }
    VmMachine *vm = g_new0(VmMachine, 1);
    g_rec_mutex_init(&vm->bql);
    g_mutex_init(&vm->power_lock);
    g_cond_init(&vm->power_cond);
    for (unsigned i = 0; i < VM_IRQ_LINES; i++) {
        g_mutex_init(&vm->irqs[i].lock);
        g_cond_init(&vm->irqs[i].cond);
    }
    if (vm_machine_add_region(vm, "guest-ram", 0, ram_size) == NULL) {
        vm_machine_destroy(vm);
        return NULL;
    }
    return vm;
}

void vm_machine_destroy(VmMachine *vm)
{
    if (vm == NULL) {
        return;
    }
    for (unsigned i = 0; i < vm->num_regions; i++) {
        munmap(vm->regions[i].host, vm->regions[i].size);
        close(vm->regions[i].fd);
    }
    for (unsigned i = 0; i < VM_IRQ_LINES; i++) {
        g_mutex_clear(&vm->irqs[i].lock);
        g_cond_clear(&vm->irqs[i].cond);
    }
    g_mutex_clear(&vm->power_lock);
    g_cond_clear(&vm->power_cond);
    g_rec_mutex_clear(&vm->bql);
    g_free(vm);
}

const VmRegion *vm_machine_ram(VmMachine *vm)
{
    return &vm->regions[0];
}

VmRegion *vm_machine_add_region(VmMachine *vm, const char *name, uint64_t gpa, uint64_t size)
{
    if (vm->num_regions == VM_MAX_REGIONS || size == 0 || size % 4096 != 0 ||
        gpa % 4096 != 0 || gpa + size < gpa || gpa + size > (UINT64_C(1) << 32)) {
        return NULL;
    }
    for (unsigned i = 0; i < vm->num_regions; i++) {
        const VmRegion *o = &vm->regions[i];
        if (gpa < o->gpa + o->size && o->gpa < gpa + size) {
            return NULL;
        }
    }
    VmRegion *r = &vm->regions[vm->num_regions];
    if (region_init(r, name, gpa, size) != 0) {
        return NULL;
    }
    vm->num_regions++;
    return r;
}

const VmRegion *vm_machine_find_region(VmMachine *vm, uint64_t gpa, uint64_t size)
{
    for (unsigned i = 0; i < vm->num_regions; i++) {
        const VmRegion *r = &vm->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa <= r->size && size <= r->size - (gpa - r->gpa)) {
            return r;
        }
    }
    return NULL;
}

void *vm_machine_gpa_to_host(VmMachine *vm, uint64_t gpa, uint64_t size)
{
    const VmRegion *r = vm_machine_find_region(vm, gpa, size);
    return r ? r->host + (gpa - r->gpa) : NULL;
}

void vm_machine_lock(VmMachine *vm)
{
    g_rec_mutex_lock(&vm->bql);
}

void vm_machine_unlock(VmMachine *vm)
{
    g_rec_mutex_unlock(&vm->bql);
}

int vm_machine_map_ports(VmMachine *vm, uint16_t base, uint16_t count, VmPortWriteFunc write,
                         VmPortReadFunc read, void *opaque)
{
    if (vm->num_ports == VM_MAX_PORT_RANGES || count == 0 || (uint32_t)base + count > 0x10000) {
        return -1;
    }
    vm->ports[vm->num_ports++] = (VmPortRange){ base, count, write, read, opaque };
    return 0;
}

static VmPortRange *port_range(VmMachine *vm, uint16_t port)
{
    for (unsigned i = 0; i < vm->num_ports; i++) {
        VmPortRange *p = &vm->ports[i];
        if (port >= p->base && port - p->base < p->count) {
            return p;
        }
    }
    return NULL;
}

void vm_machine_out(VmMachine *vm, uint16_t port, uint32_t value, unsigned size)
{
    vm_machine_lock(vm);
    VmPortRange *p = port_range(vm, port);
    if (p && p->write) {
        p->write(p->opaque, (uint16_t)(port - p->base), value, size);
    }
    vm_machine_unlock(vm);
}

uint32_t vm_machine_in(VmMachine *vm, uint16_t port, unsigned size)
{
    uint32_t v = UINT32_MAX;
    vm_machine_lock(vm);
    VmPortRange *p = port_range(vm, port);
    if (p && p->read) {
        v = p->read(p->opaque, (uint16_t)(port - p->base), size);
    }
    vm_machine_unlock(vm);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void config_put(uint8_t *cfg, uint32_t off, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        cfg[off + i] = (uint8_t)(v >> (8 * i));
    }
}

int vm_machine_add_pci(VmMachine *vm, VmPciDevice *pci)
{
    if (vm->num_pci == VM_MAX_PCI_DEVICES) {
        return -1;
    }
    uint8_t *c = pci->config;
    config_put(c, 0x00, pci->vendor_id, 2);
    config_put(c, 0x02, pci->device_id, 2);
    config_put(c, 0x04, 0x0003, 2); /* I/O and memory decoding on */
    config_put(c, 0x08, pci->revision, 1);
    config_put(c, 0x09, pci->class_code, 3);
    for (unsigned i = 0; i < VM_PCI_BARS; i++) {
        const VmPciBar *b = &pci->bars[i];
        if (b->size) {
            config_put(c, 0x10 + 4 * i, (uint32_t)b->gpa | (b->is_io ? 1u : 0u), 4);
        }
    }
    config_put(c, 0x3c, pci->irq_line, 1);
    config_put(c, 0x3d, 1, 1); /* INTA */
    vm->pci[vm->num_pci++] = pci;
    return 0;
}

VmPciDevice *vm_machine_pci_find(VmMachine *vm, uint16_t vendor_id, uint16_t device_id,
                                 unsigned index)
{
    for (unsigned i = 0; i < vm->num_pci; i++) {
        VmPciDevice *p = vm->pci[i];
        if (p->vendor_id == vendor_id && p->device_id == device_id && index-- == 0) {
            return p;
        }
    }
    return NULL;
}

uint32_t vm_pci_config_read(VmMachine *vm, VmPciDevice *pci, uint32_t offset, unsigned size)
{
    uint32_t v = 0;
    if (size == 0 || size > 4 || offset >= VM_PCI_CONFIG_SIZE || size > VM_PCI_CONFIG_SIZE - offset) {
        return UINT32_MAX;
    }
    vm_machine_lock(vm);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)pci->config[offset + i] << (8 * i);
    }
    vm_machine_unlock(vm);
    return v;
}

void vm_pci_config_write(VmMachine *vm, VmPciDevice *pci, uint32_t offset, uint32_t value,
                         unsigned size)
{
    /* Identity and BAR placement are fixed in this machine: the header's
     * first 0x40 bytes are read-only to the guest. */
    if (size == 0 || size > 4 || offset < 0x40 || offset >= VM_PCI_CONFIG_SIZE ||
        size > VM_PCI_CONFIG_SIZE - offset) {
        return;
    }
    vm_machine_lock(vm);
    config_put(pci->config, offset, value, size);
    if (pci->config_written) {
        pci->config_written(pci, offset, size, pci->opaque);
    }
    vm_machine_unlock(vm);
}

VmIrq *vm_machine_irq(VmMachine *vm, unsigned line)
{
    return line < VM_IRQ_LINES ? &vm->irqs[line] : NULL;
}

void vm_irq_set_level(VmIrq *irq, bool high)
{
    g_mutex_lock(&irq->lock);
    if (high && !irq->level) {
        irq->raises++;
        g_cond_broadcast(&irq->cond);
    }
    irq->level = high;
    g_mutex_unlock(&irq->lock);
}

bool vm_irq_level(VmIrq *irq)
{
    g_mutex_lock(&irq->lock);
    bool l = irq->level;
    g_mutex_unlock(&irq->lock);
    return l;
}

bool vm_irq_wait(VmIrq *irq, int64_t deadline_us)
{
    g_mutex_lock(&irq->lock);
    while (!irq->level) {
        if (!g_cond_wait_until(&irq->cond, &irq->lock, deadline_us)) {
            break;
        }
    }
    bool l = irq->level;
    g_mutex_unlock(&irq->lock);
    return l;
}

uint64_t vm_irq_raise_count(VmIrq *irq)
{
    g_mutex_lock(&irq->lock);
    uint64_t n = irq->raises;
    g_mutex_unlock(&irq->lock);
    return n;
}

int vm_machine_add_device(VmMachine *vm, const VmDeviceOps *ops, void *opaque)
{
    if (vm->num_devices == VM_MAX_DEVICES) {
        return -1;
    }
    vm->devices[vm->num_devices++] = (VmDevice){ ops, opaque };
    return 0;
}

void vm_machine_reset(VmMachine *vm)
{
    vm_machine_lock(vm);
    for (unsigned i = 0; i < vm->num_devices; i++) {
        if (vm->devices[i].ops->reset) {
            vm->devices[i].ops->reset(vm->devices[i].opaque);
        }
    }
    vm_machine_unlock(vm);
}

int vm_machine_suspend(VmMachine *vm)
{
    g_mutex_lock(&vm->power_lock);
    if (vm->power != VM_POWER_RUNNING) {
        g_mutex_unlock(&vm->power_lock);
        return -1;
    }
    g_mutex_unlock(&vm->power_lock);
    vm_machine_lock(vm);
    for (unsigned i = 0; i < vm->num_devices; i++) {
        if (vm->devices[i].ops->suspend) {
            vm->devices[i].ops->suspend(vm->devices[i].opaque);
        }
    }
    vm_machine_unlock(vm);
    g_mutex_lock(&vm->power_lock);
    vm->power = VM_POWER_SUSPENDED;
    g_cond_broadcast(&vm->power_cond);
    vm_log_info("machine: entered S3");
    /* The vCPU sleeps like a real one in S3: nothing but a wake ends it. */
    while (vm->power == VM_POWER_SUSPENDED) {
        g_cond_wait(&vm->power_cond, &vm->power_lock);
    }
    int ret = vm->power == VM_POWER_RUNNING ? 0 : -1;
    g_mutex_unlock(&vm->power_lock);
    return ret;
}

int vm_machine_wake(VmMachine *vm)
{
    g_mutex_lock(&vm->power_lock);
    if (vm->power != VM_POWER_SUSPENDED) {
        g_mutex_unlock(&vm->power_lock);
        return -1;
    }
    g_mutex_unlock(&vm->power_lock);
    /* As QEMU's system_wakeup: every device gets its reset before the guest
     * runs its resume path; RAM and BAR contents are kept. */
    vm_machine_reset(vm);
    g_mutex_lock(&vm->power_lock);
    vm->power = VM_POWER_RUNNING;
    vm->wakes++;
    g_cond_broadcast(&vm->power_cond);
    g_mutex_unlock(&vm->power_lock);
    vm_log_info("machine: woke from S3 (wake %u)", vm->wakes);
    return 0;
}

void vm_machine_power_off(VmMachine *vm)
{
    g_mutex_lock(&vm->power_lock);
    vm->power = VM_POWER_OFF;
    g_cond_broadcast(&vm->power_cond);
    g_mutex_unlock(&vm->power_lock);
}

VmPowerState vm_machine_power_state(VmMachine *vm)
{
    g_mutex_lock(&vm->power_lock);
    VmPowerState s = vm->power;
    g_mutex_unlock(&vm->power_lock);
    return s;
}

bool vm_machine_wait_power_state(VmMachine *vm, VmPowerState want, int64_t deadline_us)
{
    g_mutex_lock(&vm->power_lock);
    while (vm->power != want) {
        if (!g_cond_wait_until(&vm->power_cond, &vm->power_lock, deadline_us)) {
            break;
        }
    }
    bool ok = vm->power == want;
    g_mutex_unlock(&vm->power_lock);
    return ok;
}

uint32_t vm_machine_wake_count(VmMachine *vm)
{
    g_mutex_lock(&vm->power_lock);
    uint32_t n = vm->wakes;
    g_mutex_unlock(&vm->power_lock);
    return n;
}
