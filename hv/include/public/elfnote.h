/* ELF notes a PVH kernel carries (note name "Xen"). */
#ifndef MICA_PUBLIC_ELFNOTE_H
#define MICA_PUBLIC_ELFNOTE_H

/* Descriptor: 32-bit physical entry point, as a 4- or 8-byte value. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#endif
