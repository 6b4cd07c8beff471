; test=conformance: hardware task switches (docs/abi.md, "Hardware task
; switches"). vCPU 3 starts here from the flat 32-bit context of
; tests/abi/hypercall.c (paging off, no stack), loads its own GDT, IDT and
; TR, and switches tasks: CALL to a TSS and IRET back, JMP there and back,
; #GP through a task gate (twice: a bad selector, then a JMP to the busy
; current TSS), #TS through another (IRET with NT to an available TSS), and
; the T bit: CALL to a TSS that has it set raises #DB on entering the task.
; Each result goes to abi_task32_results (R_* below) for vCPU 0 to check
; (tests/abi/task_switch.c); then the vCPU takes itself down.

%define HYPERCALL_VCPU_OP 24
%define VCPUOP_DOWN       2
%define TASK32_VCPU       3

%define SEL_CODE 0x08
%define SEL_DATA 0x10
%define SEL_MAIN 0x18           ; this task's TSS
%define SEL_CALL 0x20           ; entered by CALL, left by IRET
%define SEL_GP   0x28           ; the #GP task gate's
%define SEL_JMP  0x30           ; entered by JMP, left by JMP
%define SEL_TS   0x38           ; the #TS task gate's
%define TSS_EIP  0x20
%define EFLAGS_NT 0x4000

; Result slots (dwords): tests/abi/task_switch.c names them again.
%define R_CALL_TR      0
%define R_CALL_EFLAGS  1
%define R_CALL_CR0     2
%define R_EBX_KEPT     3
%define R_CALL_LINK    4
%define R_TR_AFTER     5
%define R_CALL_TYPE    6
%define R_MAIN_TYPE    7
%define R_EFLAGS_AFTER 8
%define R_JMP_TR       9
%define R_JMP_TYPE    10
%define R_GP_COUNT    11
%define R_GP_CODE0    12
%define R_GP_CODE1    13
%define R_TS_COUNT    14
%define R_TS_CODE     15
%define R_TR_END      16
%define R_DONE        17
%define R_DB_COUNT    18
%define R_DB_DR6      19
%define R_DB_TR       20
%define NRESULTS      21
%define TSS_TRAP      0x64
%define GATE_INTR     0x8e00        ; present 32-bit interrupt gate, DPL 0
%define RES(i) [abi_task32_results + 4 * (i)]

; A TSS image entering at %1 with the stack below %2, flat ring-0 segments.
%macro TASK 2
    dd 0, 0, 0, 0, 0, 0, 0, 0           ; link, ESP0-SS2, CR3 (paging off)
    dd %1, 2                            ; EIP, EFLAGS
    dd 0, 0, 0, 0, %2, 0, 0, 0          ; EAX ECX EDX EBX ESP EBP ESI EDI
    dd SEL_DATA, SEL_CODE, SEL_DATA, SEL_DATA, SEL_DATA, SEL_DATA
    dd 0                                ; LDT
    dw 0, 0x68                          ; T, I/O map base (none)
%endmacro

section .text
bits 32
global abi_task32_entry
abi_task32_entry:
    lgdt [gdtr]
    jmp SEL_CODE:.flat
.flat:
    mov eax, SEL_DATA
    mov ds, eax
    mov es, eax
    mov ss, eax
    mov fs, eax
    mov gs, eax
    mov esp, main_stack + 4096
    mov edi, gdt + SEL_MAIN
    mov eax, tss_main
    call set_tss
    mov edi, gdt + SEL_CALL
    mov eax, tss_call
    call set_tss
    mov edi, gdt + SEL_GP
    mov eax, tss_gp
    call set_tss
    mov edi, gdt + SEL_JMP
    mov eax, tss_jmp
    call set_tss
    mov edi, gdt + SEL_TS
    mov eax, tss_ts
    call set_tss
    mov eax, SEL_MAIN
    ltr ax
    mov eax, db_handler                 ; vector 1: an interrupt gate
    mov [idt + 8], ax
    mov word [idt + 8 + 2], SEL_CODE
    mov word [idt + 8 + 4], GATE_INTR
    shr eax, 16
    mov [idt + 8 + 6], ax
    lidt [idtr]

    ; CALL: the task sees itself in TR, NT and CR0.TS; IRET brings us back
    ; with EBX as we left it, the called TSS available again and ours busy.
    mov ebx, 0x12345678
    call SEL_CALL:0
    mov RES(R_EBX_KEPT), ebx
    movzx eax, word [tss_call]
    mov RES(R_CALL_LINK), eax
    str ax
    movzx eax, ax
    mov RES(R_TR_AFTER), eax
    movzx eax, byte [gdt + SEL_CALL + 5]
    mov RES(R_CALL_TYPE), eax
    movzx eax, byte [gdt + SEL_MAIN + 5]
    mov RES(R_MAIN_TYPE), eax
    pushfd
    pop eax
    mov RES(R_EFLAGS_AFTER), eax
    clts

    ; The T bit: #DB (DR6.BT) as the called task starts, in that task.
    mov word [tss_call + TSS_TRAP], 1
    call SEL_CALL:0
    mov word [tss_call + TSS_TRAP], 0
    clts

    ; JMP there and back: the other TSS is available again afterwards.
    jmp SEL_JMP:0
    movzx eax, byte [gdt + SEL_JMP + 5]
    mov RES(R_JMP_TYPE), eax

    ; #GP through the task gate, with its error code: a selector past the
    ; GDT limit (mov fs, eax: 2 bytes), then JMP to our own busy TSS (7).
    mov dword [skip], 2
    mov eax, 0xfff8
    db 0x8e, 0xe0                       ; mov fs, eax
    mov dword [skip], 7
    jmp SEL_MAIN:0

    ; IRET with NT set and a back link to an available TSS: #TS (1 byte).
    mov word [tss_main], SEL_CALL
    mov dword [skip], 1
    pushfd
    or dword [esp], EFLAGS_NT
    popfd
    iretd
    pushfd
    and dword [esp], ~EFLAGS_NT
    popfd

    str ax
    movzx eax, ax
    mov RES(R_TR_END), eax
    mov dword RES(R_DONE), 0x600d

    mov eax, HYPERCALL_VCPU_OP
    mov ebx, VCPUOP_DOWN
    mov ecx, TASK32_VCPU
    xor edx, edx
    vmcall
.halt:
    hlt
    jmp .halt

; The available 32-bit TSS descriptor for the TSS at EAX, written at EDI.
set_tss:
    mov word [edi], 0x67
    mov [edi + 2], ax
    shr eax, 16
    mov [edi + 4], al
    mov byte [edi + 5], 0x89
    mov byte [edi + 6], 0
    mov [edi + 7], ah
    ret

; Each task resumes after the instruction that left it: the IRET sits just
; before the entry so the next entry starts afresh.
call_task_exit:
    iretd
call_task:
    str ax
    movzx eax, ax
    mov RES(R_CALL_TR), eax
    pushfd
    pop eax
    mov RES(R_CALL_EFLAGS), eax
    mov eax, cr0
    mov RES(R_CALL_CR0), eax
    mov ebx, 0x5a5a5a5a                 ; ours: the caller's comes back
    jmp call_task_exit

jmp_task:
    str ax
    movzx eax, ax
    mov RES(R_JMP_TR), eax
    jmp SEL_MAIN:0
    jmp jmp_task

; #DB: counted, with DR6 and the task it came in.
db_handler:
    push eax
    inc dword RES(R_DB_COUNT)
    mov eax, dr6
    mov RES(R_DB_DR6), eax
    str ax
    movzx eax, ax
    mov RES(R_DB_TR), eax
    pop eax
    iretd

; The gates' tasks: the error code from their stack, the interrupted task
; (always ours) moved past the faulting instruction.
gp_task_exit:
    iretd
gp_task:
    pop eax
    mov ecx, RES(R_GP_COUNT)
    mov [abi_task32_results + 4 * R_GP_CODE0 + 4 * ecx], eax
    inc dword RES(R_GP_COUNT)
    mov eax, [skip]
    add [tss_main + TSS_EIP], eax
    jmp gp_task_exit

ts_task_exit:
    iretd
ts_task:
    pop eax
    mov RES(R_TS_CODE), eax
    inc dword RES(R_TS_COUNT)
    mov eax, [skip]
    add [tss_main + TSS_EIP], eax
    jmp ts_task_exit

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9b000000ffff               ; SEL_CODE: flat 32-bit code
    dq 0x00cf93000000ffff               ; SEL_DATA: flat data
    times 5 dq 0                        ; the TSSs (set_tss)
gdt_end:
idt:
    times 10 dq 0
    dq 0x0000850000000000 | (SEL_TS << 16)     ; 10 #TS: task gate
    dq 0, 0
    dq 0x0000850000000000 | (SEL_GP << 16)     ; 13 #GP: task gate
idt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd gdt
idtr:
    dw idt_end - idt - 1
    dd idt
align 16
tss_main:
    times 0x68 db 0
tss_call:
    TASK call_task, call_stack + 4096
tss_jmp:
    TASK jmp_task, jmp_stack + 4096
tss_gp:
    TASK gp_task, gp_stack + 4096
tss_ts:
    TASK ts_task, ts_stack + 4096
skip:
    dd 0
global abi_task32_results
abi_task32_results:
    times NRESULTS dd 0
    dd 0

section .bss
alignb 4096
main_stack: resb 4096
call_stack: resb 4096
jmp_stack:  resb 4096
gp_stack:   resb 4096
ts_stack:   resb 4096
