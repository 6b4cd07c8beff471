; Exception and interrupt entry stubs. Each stub pushes a uniform frame
; (struct trap_frame: asm-offsets.c asserts that the pushes below build its
; layout) and calls trap_dispatch(frame).
; Contract: trap_dispatch returns only for interrupts it has handled; the stub
; then restores every register and irets.

%include "asm-offsets.inc"

bits 64
section .text
extern trap_dispatch
global trap_stub_table
global arch_load_segments

; Exceptions that push an error code (SDM 3A table 6-1).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro TRAP_STUB 1
trap_stub_%1:
%if HAS_ERROR(%1) == 0
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 256
    TRAP_STUB v
%assign v v+1
%endrep

trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, TF_RIP - TF_VECTOR ; vector, error code
    iretq

; void arch_load_segments(uint16_t code_sel, uint16_t data_sel)
arch_load_segments:
    mov ds, si
    mov es, si
    mov ss, si
    xor eax, eax
    mov fs, ax
    mov gs, ax
    push rdi
    lea rax, [rel .reload]
    push rax
    retfq
.reload:
    ret

section .rodata
align 8
trap_stub_table:
%assign v 0
%rep 256
    dq trap_stub_ %+ v
%assign v v+1
%endrep
