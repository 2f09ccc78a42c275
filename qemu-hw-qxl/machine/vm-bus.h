/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm-bus.h: the machine's side of the guest bus (guest-bus/gbus.h).
 *
 * The one place where the machine is shown to a guest: port I/O, memory,
 * PCI, interrupts and the ACPI sleep request, each forwarded to the
 * machine's own calls.  A guest (a guest image, a test playing the
 * guest) gets the Gbus and nothing else of the machine.
 */
#ifndef VM_BUS_H
#define VM_BUS_H

#include "gbus.h"
#include "vm-machine.h"

/* Fills bus (caller-owned, no allocation) for vm; valid while vm lives. */
void vm_bus_init(Gbus *bus, VmMachine *vm);

#endif /* VM_BUS_H */
