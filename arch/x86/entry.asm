; Hypervisor entry from the UEFI loader.
; Contract: 64-bit mode on the firmware's identity page tables, interrupts off,
; RDI = physical address of struct mica_bootinfo. We switch to our own stack,
; clear the frame pointer so backtraces end here, and never return.

bits 64
section .text.entry
global _start
extern hv_main

_start:
    rdtsc                       ; first: the boot benchmarks start counting here
    mov [rel boot_tsc], eax
    mov [rel boot_tsc + 4], edx
    cli
    cld
    mov rsp, boot_stack_top
    xor rbp, rbp
    call hv_main                ; does not return
.hang:
    hlt
    jmp .hang

section .data
align 8
global boot_tsc
boot_tsc:
    dq 0                        ; TSC at the hypervisor's first instruction

section .bss
align 16
boot_stack:
    resb 32768
global boot_stack_top
boot_stack_top:
