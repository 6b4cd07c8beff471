; The timer wake-up probe of test_bench.c.
;
; bench_wake_entry stands in for the kernel's upcall_entry while test_bench.c
; measures a timer wake-up (idt_set_upcall_entry): its first instruction, the
; first the woken vCPU executes, reads the TSC into bench_wake_tsc, then it
; goes on as upcall_entry. It clobbers RAX and RDX of the interrupted code,
; so it is installed only around a `sti; hlt` that declares both clobbered.

extern upcall_entry
extern bench_wake_tsc

section .text

global bench_wake_entry
bench_wake_entry:
    rdtsc
    mov [rel bench_wake_tsc], eax
    mov [rel bench_wake_tsc + 4], edx
    jmp upcall_entry
