; guest-pv start of day: PVH 32-bit entry to long mode.
;
; Contract (Xen PVH ABI): entered at pvh_start32 in 32-bit protected mode,
; paging off, flat CS/DS/ES/SS, interrupts off, EBX = guest-physical address
; of struct hvm_start_info. GDTR/IDTR are undefined and there is no stack.
; We build our own GDT, stack and page tables, enter long mode and call
; guest_main(start_info), which never returns.
;
; The very first instruction reads the TSC into guest_entry_tsc (in .data:
; .bss is zeroed below), so test=bench can report when this kernel began.

%define XEN_ELFNOTE_PHYS32_ENTRY 18     ; public/elfnote.h

%define CR0_PE          (1 << 0)
%define CR0_PG          (1 << 31)
%define CR4_PAE         (1 << 5)
%define MSR_EFER        0xC0000080
%define EFER_LME        (1 << 8)

%define PTE_PRESENT     (1 << 0)
%define PTE_WRITE       (1 << 1)
%define PTE_LARGE       (1 << 7)        ; 2 MiB page in a page directory

%define SEL_CODE32      0x08
%define SEL_DATA        0x10
%define SEL_CODE64      0x18

%define IDENTITY_GIB    4               ; identity map size, one PD per GiB
%define STACK_SIZE      (16 * 1024)

extern guest_main
extern smp_secondary_main
extern __bss_start
extern __bss_end

; ---- the PVH entry note (descriptor: 8 bytes, as Linux emits it) ----------
section .note.Xen note alloc noexec nowrite align=4
    dd 4                                ; namesz, including the NUL
    dd 8                                ; descsz
    dd XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dq pvh_start32

section .text.entry progbits alloc exec nowrite align=16
bits 32
global pvh_start32
pvh_start32:
    rdtsc                               ; first: nothing before it is counted
    mov [guest_entry_tsc], eax
    mov [guest_entry_tsc + 4], edx
    cli
    cld
    ; The loader's GDT is unknown: install ours before touching a selector.
    lgdt [gdt_descriptor]
    ; A zero-limit IDT turns any early exception into a clean triple fault
    ; (the hypervisor crashes the domain with a report) instead of a jump
    ; through whatever IDTR happened to hold.
    lidt [idt_descriptor]
    jmp SEL_CODE32:.flat_cs
.flat_cs:
    mov eax, SEL_DATA
    mov ds, eax
    mov es, eax
    mov ss, eax
    mov fs, eax
    mov gs, eax

    ; EBX (start info) must survive until guest_main: it is not used below.
    ; Zero .bss ourselves: the stack and the page tables live there.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    mov esp, stack_top

    ; PML4[0] -> PDPT; PDPT[0..3] -> four PDs; each PD maps 1 GiB with 2 MiB
    ; pages. 4 GiB (more than any guest's RAM) lets tests touch memory past
    ; the end of RAM and see the EPT, not our page tables, stop them.
    mov dword [boot_pml4], boot_pdpt + (PTE_PRESENT | PTE_WRITE)

    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd + (PTE_PRESENT | PTE_WRITE)
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, IDENTITY_GIB
    jb .fill_pdpt

    ; PD entry i (the four PDs are contiguous) maps physical i * 2 MiB. All
    ; addresses are below 4 GiB, so the high dwords stay zero from .bss.
    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_PRESENT | PTE_WRITE | PTE_LARGE
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, IDENTITY_GIB * 512
    jb .fill_pd

    ; SDM 10.8.5: PAE, then EFER.LME, then CR3, then CR0.PG activates IA-32e.
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax

    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    wrmsr

    mov eax, boot_pml4
    mov cr3, eax

    mov eax, cr0
    or eax, CR0_PG | CR0_PE
    mov cr0, eax

    jmp SEL_CODE64:long_mode_entry

bits 64
long_mode_entry:
    mov eax, SEL_DATA
    mov ds, eax
    mov es, eax
    mov ss, eax
    xor eax, eax
    mov fs, eax
    mov gs, eax

    mov rsp, stack_top                  ; 16-byte aligned at the call (SysV)
    mov edi, ebx                        ; zero-extends: identity map, phys == virt
    call guest_main
.halt:
    hlt
    jmp .halt

; A secondary vCPU (smp.c). Contract: entered in 64-bit mode through the
; context of VCPUOP_initialise, on vCPU 0's page tables, interrupts off,
; RSP = top of its own stack (16-byte aligned), RDI = its vCPU id; every
; selector is 0 and GDTR/IDTR are empty. Load our GDT, reload CS (far
; return) and the data segments, then call smp_secondary_main(id), which
; never returns.
global smp_entry64
smp_entry64:
    cld
    lgdt [rel gdt_descriptor64]
    push SEL_CODE64
    lea rax, [rel .flat_cs]
    push rax
    o64 retf
.flat_cs:
    mov eax, SEL_DATA
    mov ds, eax
    mov es, eax
    mov ss, eax
    xor eax, eax
    mov fs, eax
    mov gs, eax
    call smp_secondary_main
.halt:
    hlt
    jmp .halt

section .rodata
align 16
; Accessed bits preset so loading a selector never writes to .rodata.
gdt:
    dq 0                                ; null
    dq 0x00CF9B000000FFFF               ; 0x08: 32-bit code, flat 4 GiB
    dq 0x00CF93000000FFFF               ; 0x10: data, flat 4 GiB
    dq 0x00AF9B000000FFFF               ; 0x18: 64-bit code (L=1)
gdt_end:

align 4
    dw 0                                ; pad so the base below is 4-aligned
gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt
    dw 0
idt_descriptor:
    dw 0
    dd 0

align 8
    times 6 db 0                        ; pad so the base below is 8-aligned
gdt_descriptor64:                       ; lgdt in 64-bit mode reads an 8-byte base
    dw gdt_end - gdt - 1
    dq gdt

section .data
align 8
global guest_entry_tsc
guest_entry_tsc:
    dq 0

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * IDENTITY_GIB
align 16
stack_bottom:
    resb STACK_SIZE
stack_top:
