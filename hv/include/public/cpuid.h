/* Discovery through CPUID, and the hypercall-page MSR. */
#ifndef MICA_PUBLIC_CPUID_H
#define MICA_PUBLIC_CPUID_H

/* Mica's own leaf: EAX = highest Mica leaf, EBX:ECX:EDX = "MicaMicaMica". */
#define MICA_CPUID_BASE         0x40000000u
#define MICA_CPUID_SIGNATURE    0x6163694du     /* "Mica" in each register */

/* The Xen-compatible leaves, at the next 0x100 boundary. */
#define XEN_CPUID_BASE          0x40000100u
#define XEN_CPUID_LEAF_COUNT    5               /* base+0 .. base+4 */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558u     /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4du     /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566eu     /* "nVMM" */
/* base+4, HVM features: EBX = vCPU id, ECX = domain id when flagged. */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)
#define XEN_HVM_CPUID_DOMID_PRESENT   (1u << 4)

/* Writing a page-aligned guest-physical address here fills that page with
 * hypercall stubs: stub N at offset 32*N is "mov eax, N; vmcall; ret". */
#define XEN_HYPERCALL_PAGE_MSR  0x40000000u
#define HYPERCALL_STUB_SIZE     32

#endif
