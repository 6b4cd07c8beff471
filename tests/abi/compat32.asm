; test=conformance: Xen's 32-bit hypercall convention (docs/abi.md, "Calling
; convention"). vCPU 2 starts here from a VCPU_HVM_MODE_32B context: 32-bit
; protected mode, paging off, flat segments, no stack (tests/abi/hypercall.c).
;
; Contract: EAX = number, EBX, ECX, EDX = the first arguments, result in
; EAX. Each result goes to abi_compat32_results for vCPU 0 to check, with
; the argument registers as the calls left them. Then the calls vCPU 0 put
; in abi_compat32_calls (tests/abi/hypercall-compat32.c: Xen's 32-bit
; structures), abi_compat32_ncalls of them, each EAX, EBX, ECX, EDX, ESI,
; EDI in and EAX out; the count reaches 0 when all are made. Then the vCPU
; takes itself down (vcpu_op down on itself), which is where vCPU 0 sees it
; is finished.

%define HYPERCALL_XEN_VERSION    17
%define HYPERCALL_VCPU_OP        24
%define XENVER_VERSION           0
%define VCPUOP_DOWN              2
%define VCPUOP_GET_RUNSTATE_INFO 4
%define BAD_CMD                  99
%define COMPAT32_VCPU            2
; struct compat32_call (hypercall-compat32.c asserts its size): nr, arg[5], result.
%define CALL_NR                  0
%define CALL_ARGS                4
%define CALL_RESULT              24
%define CALL_SIZE                28
%define MAX_CALLS                32

section .text
bits 32
global abi_compat32_entry
abi_compat32_entry:
    ; [0]: xen_version(XENVER_version): the version in EAX.
    mov eax, HYPERCALL_XEN_VERSION
    mov ebx, XENVER_VERSION
    vmcall
    mov [abi_compat32_results], eax

    ; [1]: vcpu_op(get_runstate_info, 2, &runstate): three argument registers.
    mov eax, HYPERCALL_VCPU_OP
    mov ebx, VCPUOP_GET_RUNSTATE_INFO
    mov ecx, COMPAT32_VCPU
    mov edx, abi_compat32_runstate
    vmcall
    mov [abi_compat32_results + 4], eax

    ; [2]: xen_version(99): -ENOSYS in EAX; [3..7]: EBX, ECX, EDX, ESI, EDI after it.
    mov eax, HYPERCALL_XEN_VERSION
    mov ebx, BAD_CMD
    mov ecx, 0x11111111
    mov edx, 0x22222222
    mov esi, 0x33333333
    mov edi, 0x44444444
    vmcall
    mov [abi_compat32_results + 8], eax
    mov [abi_compat32_results + 12], ebx
    mov [abi_compat32_results + 16], ecx
    mov [abi_compat32_results + 20], edx
    mov [abi_compat32_results + 24], esi
    mov [abi_compat32_results + 28], edi

    ; The table: EBP walks it (a hypercall changes no register but EAX).
    mov ebp, abi_compat32_calls
.next_call:
    cmp dword [abi_compat32_ncalls], 0
    je .calls_done
    mov eax, [ebp + CALL_NR]
    mov ebx, [ebp + CALL_ARGS]
    mov ecx, [ebp + CALL_ARGS + 4]
    mov edx, [ebp + CALL_ARGS + 8]
    mov esi, [ebp + CALL_ARGS + 12]
    mov edi, [ebp + CALL_ARGS + 16]
    vmcall
    mov [ebp + CALL_RESULT], eax
    add ebp, CALL_SIZE
    dec dword [abi_compat32_ncalls]
    jmp .next_call
.calls_done:

    ; Done: down on ourselves. vCPU 0 is up, so the domain goes on.
    mov eax, HYPERCALL_VCPU_OP
    mov ebx, VCPUOP_DOWN
    mov ecx, COMPAT32_VCPU
    xor edx, edx
    vmcall
.halt:
    hlt
    jmp .halt

section .data
align 8
global abi_compat32_results
abi_compat32_results:
    times 8 dd 0xFFFFFFFF
global abi_compat32_runstate
abi_compat32_runstate:
    times 48 db 0xFF
global abi_compat32_ncalls
abi_compat32_ncalls:
    dd 0
global abi_compat32_calls
abi_compat32_calls:
    times MAX_CALLS * CALL_SIZE db 0
