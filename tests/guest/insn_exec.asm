; test=insn-fuzz: run one generated instruction with chosen registers.
;
; int insn_exec(uint64_t regs[16], const void *code, struct trap_resume *resume)
;
; Contract: fills *resume (guest-pv/kernel/idt.h: rip, rsp, rflags at 0, 8,
; 16, asserted in idt.c) so that a trap catch armed with it comes back here;
; loads every general register but RSP from regs[] (indexed in the x86
; encoding order: rax rcx rdx rbx - rbp rsi rdi r8 ... r15); calls code,
; which must end in `ret` with RSP as it found it; stores the registers back
; into regs[] and returns 0. If the catch fires instead, returns 1 with
; regs[] as loaded. Callee-saved registers survive both ways; DF is cleared.

section .text
global insn_exec
insn_exec:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdi                            ; regs[], for after the call
    pushfq
    pop qword [rdx + 16]                ; resume.rflags
    mov [rdx + 8], rsp                  ; resume.rsp: regs[] on top
    lea rax, [rel .caught]
    mov [rdx], rax                      ; resume.rip
    push rsi                            ; code: called through the stack

    mov rax, [rdi + 0 * 8]
    mov rcx, [rdi + 1 * 8]
    mov rdx, [rdi + 2 * 8]
    mov rbx, [rdi + 3 * 8]
    mov rbp, [rdi + 5 * 8]
    mov rsi, [rdi + 6 * 8]
    mov r8,  [rdi + 8 * 8]
    mov r9,  [rdi + 9 * 8]
    mov r10, [rdi + 10 * 8]
    mov r11, [rdi + 11 * 8]
    mov r12, [rdi + 12 * 8]
    mov r13, [rdi + 13 * 8]
    mov r14, [rdi + 14 * 8]
    mov r15, [rdi + 15 * 8]
    mov rdi, [rdi + 7 * 8]              ; last: it was the base
    call [rsp]

    push rdi
    mov rdi, [rsp + 16]                 ; above: our copy of code, then regs[]
    mov [rdi + 0 * 8], rax
    mov [rdi + 1 * 8], rcx
    mov [rdi + 2 * 8], rdx
    mov [rdi + 3 * 8], rbx
    mov [rdi + 5 * 8], rbp
    mov [rdi + 6 * 8], rsi
    mov [rdi + 8 * 8], r8
    mov [rdi + 9 * 8], r9
    mov [rdi + 10 * 8], r10
    mov [rdi + 11 * 8], r11
    mov [rdi + 12 * 8], r12
    mov [rdi + 13 * 8], r13
    mov [rdi + 14 * 8], r14
    mov [rdi + 15 * 8], r15
    pop rax
    mov [rdi + 7 * 8], rax
    add rsp, 16                         ; code, regs[]
    xor eax, eax
    jmp .out

.caught:                                ; RSP = resume.rsp: regs[] on top
    add rsp, 8
    mov eax, 1
.out:
    cld
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
