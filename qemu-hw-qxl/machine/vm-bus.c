/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-bus.c: the guest bus of the machine, forwarded to vm-machine.h. */
#include "config.h"

#include "vm-bus.h"

/* GbusPci is the machine's VmPciDevice: the guest only hands back what
 * pci_find gave it. */
static VmPciDevice *bus_pci(GbusPci *pci)
{
    return (VmPciDevice *)(void *)pci;
}

static uint32_t bus_port_in(void *m, uint16_t port, unsigned size)
{
    return vm_machine_in(m, port, size);
}

static void bus_port_out(void *m, uint16_t port, uint32_t value, unsigned size)
{
    vm_machine_out(m, port, value, size);
}

static void *bus_phys_to_ptr(void *m, uint64_t gpa, uint64_t size)
{
    return vm_machine_gpa_to_host(m, gpa, size);
}

static GbusPci *bus_pci_find(void *m, uint16_t vendor_id, uint16_t device_id, unsigned index)
{
    return (GbusPci *)(void *)vm_machine_pci_find(m, vendor_id, device_id, index);
}

static uint32_t bus_config_read(void *m, GbusPci *pci, uint32_t offset, unsigned size)
{
    return vm_pci_config_read(m, bus_pci(pci), offset, size);
}

static void bus_config_write(void *m, GbusPci *pci, uint32_t offset, uint32_t value,
                             unsigned size)
{
    vm_pci_config_write(m, bus_pci(pci), offset, value, size);
}

static int bus_pci_bar(void *m, GbusPci *pci, unsigned index, GbusPciBar *out)
{
    (void)m;
    if (index >= VM_PCI_BARS || index >= GBUS_PCI_BARS) {
        return -1;
    }
    const VmPciBar *b = &bus_pci(pci)->bars[index];
    *out = (GbusPciBar){ .addr = b->gpa, .size = b->size, .is_io = b->is_io };
    return 0;
}

static bool bus_irq_wait(void *m, unsigned line, int64_t deadline_us)
{
    VmIrq *irq = vm_machine_irq(m, line);
    return irq ? vm_irq_wait(irq, deadline_us) : false;
}

static int bus_sleep(void *m)
{
    return vm_machine_suspend(m);
}

static const GbusOps vm_bus_ops = {
    .port_in = bus_port_in,
    .port_out = bus_port_out,
    .phys_to_ptr = bus_phys_to_ptr,
    .pci_find = bus_pci_find,
    .pci_config_read = bus_config_read,
    .pci_config_write = bus_config_write,
    .pci_bar = bus_pci_bar,
    .irq_wait = bus_irq_wait,
    .sleep = bus_sleep,
};

void vm_bus_init(Gbus *bus, VmMachine *vm)
{
    *bus = (Gbus){ .ops = &vm_bus_ops, .machine = vm, .ram_size = vm_machine_ram(vm)->size };
}
