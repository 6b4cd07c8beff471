; Where an application processor starts. The code below is copied to a page
; below 1 MiB (the loader reserved it); a Startup IPI with vector = page >> 12
; starts the AP in real mode at CS = page >> 4, IP = 0 (SDM 3A 8.4.4).
; It climbs to long mode in three steps: real -> 32-bit protected mode (our
; own GDT, below) -> long mode on the hypervisor's own page tables, then jumps
; to ap_entry in the image with the stack and CPU index that arch/x86/smp.c
; wrote into the parameter block at the end of the page (struct
; trampoline_params, arch/ap_trampoline.h; its TP_* offsets from asm-offsets.c).
;
; Position independence: real mode addresses the page through CS; protected
; and long mode through ESI/RSI = the page's physical address. The only
; absolute values (the GDT base, the two far-jump targets) are patched in by
; smp.c before each Startup IPI.

%include "asm-offsets.inc"

bits 16
section .rodata
align 16
global ap_trampoline_start
global ap_trampoline_end

ap_trampoline_start:
    cli
    cld
    mov ax, cs
    mov ds, ax
    movzx esi, ax
    shl esi, 4                              ; esi = physical address of this page
    o32 lgdt [gdt_ptr - ap_trampoline_start]
    mov eax, cr0
    or eax, 1                               ; PE
    mov cr0, eax
    o32 jmp far [far32 - ap_trampoline_start]

bits 32
protected_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, [esi + params - ap_trampoline_start + TP_CR4]
    mov cr4, eax                            ; PAE and the boot CPU's other bits
    mov eax, [esi + params - ap_trampoline_start + TP_CR3]
    mov cr3, eax
    mov ecx, MSR_IA32_EFER
    mov eax, [esi + params - ap_trampoline_start + TP_EFER]
    xor edx, edx
    wrmsr                                   ; LME (and NXE, SCE) as on the boot CPU
    mov eax, [esi + params - ap_trampoline_start + TP_CR0]
    mov cr0, eax                            ; PG: long mode is active
    jmp far [esi + far64 - ap_trampoline_start]

bits 64
long_mode:
    mov esi, esi                            ; the upper half is undefined after the switch
    mov rsp, [rsi + params - ap_trampoline_start + TP_STACK]
    mov edi, [rsi + params - ap_trampoline_start + TP_CPU]
    mov rax, [rsi + params - ap_trampoline_start + TP_ENTRY]
    xor ebp, ebp                            ; backtraces end here
    jmp rax

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff                   ; 0x08: 32-bit code, flat
    dq 0x00cf92000000ffff                   ; 0x10: data, flat
    dq 0x00af9a000000ffff                   ; 0x18: 64-bit code
gdt_end:

; Filled in by smp.c (offsets exported below).
gdt_ptr:
    dw gdt_end - gdt - 1
gdt_ptr_base:
    dd 0                                    ; page + (gdt - start)
far32:
    dd 0                                    ; page + (protected_mode - start)
    dw 0x08
far64:
    dd 0                                    ; page + (long_mode - start)
    dw 0x18
align 8
params:
    times TP_SIZE db 0                      ; struct trampoline_params
ap_trampoline_end:

; Offsets for smp.c.
section .rodata
align 8
global ap_trampoline_offsets
ap_trampoline_offsets:
    dq gdt - ap_trampoline_start
    dq gdt_ptr_base - ap_trampoline_start
    dq far32 - ap_trampoline_start
    dq protected_mode - ap_trampoline_start
    dq far64 - ap_trampoline_start
    dq long_mode - ap_trampoline_start
    dq params - ap_trampoline_start

; ap_entry: the 64-bit continuation in the image, with the per-CPU stack
; loaded and EDI = CPU index.
bits 64
section .text
global ap_entry
extern ap_main
ap_entry:
    call ap_main                            ; does not return
.hang:
    cli
    hlt
    jmp .hang
