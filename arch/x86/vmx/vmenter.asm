; Entering and leaving a guest. Contract:
;   int vmx_enter(struct guest_regs *regs, int launched)
; loads the guest registers from *regs and executes VMLAUNCH (launched == 0)
; or VMRESUME. Returns 0 after the next VM exit, with the guest registers
; saved back into *regs; returns 1 if the VMX instruction itself failed.
; Every decision is made in C.

; GR_* and VMCS_HOST_RSP (HOST_RSP of vmcs_fields.h) come from asm-offsets.c.
%include "asm-offsets.inc"

bits 64
section .text
global vmx_enter
global vmx_exit_stub

vmx_enter:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                        ; regs, found at [HOST_RSP] after the exit
    mov rax, VMCS_HOST_RSP
    vmwrite rax, rsp
    jbe .failed
    mov rax, [rdi + GR_CR2]
    mov cr2, rax
    test esi, esi                   ; flags survive the movs below
    mov rax, [rdi + GR_RAX]
    mov rbx, [rdi + GR_RBX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    mov rbp, [rdi + GR_RBP]
    mov r8, [rdi + GR_R8]
    mov r9, [rdi + GR_R9]
    mov r10, [rdi + GR_R10]
    mov r11, [rdi + GR_R11]
    mov r12, [rdi + GR_R12]
    mov r13, [rdi + GR_R13]
    mov r14, [rdi + GR_R14]
    mov r15, [rdi + GR_R15]
    mov rdi, [rdi + GR_RDI]
    jnz .resume
    vmlaunch
    jmp .failed
.resume:
    vmresume
.failed:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    mov eax, 1
    ret

vmx_exit_stub:
    push rdi                        ; guest rdi; [rsp + 8] = regs
    mov rdi, [rsp + 8]
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RBX], rbx
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_RDX], rdx
    mov [rdi + GR_RSI], rsi
    mov [rdi + GR_RBP], rbp
    mov [rdi + GR_R8], r8
    mov [rdi + GR_R9], r9
    mov [rdi + GR_R10], r10
    mov [rdi + GR_R11], r11
    mov [rdi + GR_R12], r12
    mov [rdi + GR_R13], r13
    mov [rdi + GR_R14], r14
    mov [rdi + GR_R15], r15
    pop rax
    mov [rdi + GR_RDI], rax
    mov rax, cr2
    mov [rdi + GR_CR2], rax
    add rsp, 8                      ; the regs pointer
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    xor eax, eax
    ret
