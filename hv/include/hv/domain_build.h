/*
 * Building a domain, step by step. The boot path (hv/domain.c) runs every
 * step at once from a boot description; dom0 runs them one hypercall at a
 * time for a domain it creates at run time (hv/domain_runtime.c):
 *
 *   createdomain   admission, then domain_new_record + domain_create_containers
 *   populate       domain_populate_page for each page of its RAM
 *   load_kernel    the PVH image and start-info page written, vCPUs created
 *   unpause        domain_start
 */
#ifndef HV_DOMAIN_BUILD_H
#define HV_DOMAIN_BUILD_H

#include "hv/domain.h"

/* A free id: 0 for the privileged domain, else Xen's rover; -1 if none. */
int domain_allocate_id(bool privileged);
/* Some domain that has not been forgotten has this name. */
bool domain_name_taken(const char *name);
/* Slot `id` (from domain_allocate_id) becomes a BUILDING domain with
 * nvcpus vCPU records and the host's default limits. */
struct domain *domain_new_record(uint32_t id, const char *name, bool privileged,
                                 uint64_t ram_bytes, uint32_t nvcpus);
/* The record gives its slot (and its id and name) back; it must be destroyed. */
void domain_forget(struct domain *d);
/* Its shared-info page, its arch container (EPT), and for a domU its
 * console ring's port and memory map. 0, or -1 (out of memory). */
int domain_create_containers(struct domain *d);
/* One zeroed frame becomes its RAM at gpa (not mapped yet). 0, or -1. */
int domain_populate_page(struct domain *d, gpaddr_t gpa);
/* pvh_image_load's writer: ctx is the domain. */
int domain_write_phys(void *ctx, uint64_t gpa, const void *src, uint64_t len);
/* Every vCPU's arch state; vCPU 0 starts at the PVH entry. 0, or -1. */
int domain_create_arch_vcpus(struct domain *d, uint32_t entry);
/* Hard affinity of every vCPU (0: all CPUs); -1 if it names no online CPU. */
int domain_set_affinity(struct domain *d, uint64_t cpu_mask);
/* RUNNING and not paused: vCPU 0 is scheduled. */
void domain_start(struct domain *d);

#endif
