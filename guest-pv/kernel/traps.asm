; guest-pv interrupt and exception entry points.
;
; Contract: every vector except the event-channel upcall goes to
; trap_dispatch(frame). trap_stub_N adds an error code of 0 where the CPU
; pushes none and pushes N, so the frame is struct trap_frame (idt.c).
;
; trap_dispatch either never returns (trap_fatal) or returns: when the vCPU
; had a trap catch armed (idt.h) it has rewritten the frame's RIP, CS,
; RFLAGS, RSP and SS, and we iretq to the catcher (whose registers are then
; whatever the interrupted code had); after an absorbed #DB (idt.h) the
; frame is the interrupted code's, which goes on with its registers intact.
; Either way the registers C may clobber are saved around the call.
; upcall_entry saves the registers C may clobber (SysV), calls
; evtchn_upcall() and returns to the interrupted code with iretq.
; idt.c installs the stubs (trap_stub_table) and upcall_entry.

extern trap_dispatch
extern evtchn_upcall

section .text

; The registers C may clobber (SysV), and RBP, which the entries below use
; to keep the interrupted RSP while they align the stack for the call.
%define SAVED_REGS 10
%macro SAVE_CALLER_SAVED 0
    push rax
    push rcx
    push rdx
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    push rbp
%endmacro
%macro RESTORE_CALLER_SAVED 0
    pop rbp
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rax
%endmacro

; SDM 6.15: the exceptions for which the CPU pushes an error code.
%macro TRAP_STUB 1
align 16
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign vec 0
%rep 256
    TRAP_STUB vec
%assign vec vec + 1
%endrep

; Stack: vector, error code, then the CPU's frame (RIP, CS, RFLAGS, RSP, SS).
trap_common:
    SAVE_CALLER_SAVED
    lea rdi, [rsp + SAVED_REGS * 8]     ; struct trap_frame *
    mov rbp, rsp
    and rsp, -16                        ; SysV: aligned at the call
    cld
    call trap_dispatch
    mov rsp, rbp
    RESTORE_CALLER_SAVED
    add rsp, 16                         ; vector, error code
    iretq

global upcall_entry
upcall_entry:
    SAVE_CALLER_SAVED
    mov rbp, rsp
    and rsp, -16
    cld
    call evtchn_upcall
    mov rsp, rbp
    RESTORE_CALLER_SAVED
    iretq

section .rodata
align 8
global trap_stub_table
trap_stub_table:
%assign vec 0
%rep 256
    dq trap_stub_%[vec]
%assign vec vec + 1
%endrep
