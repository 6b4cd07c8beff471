# Mica: one plain Makefile. `make` builds everything into build/,
# `make test` runs every test, `make run` boots Mica in an emulator.
# Local overrides (CC, BOCHS_CPUS, ...) go in an optional config.mk.

BUILD   := build
-include config.mk

# `make V=1` shows full commands.
Q := $(if $(V),,@)

CC      ?= gcc
NASM    ?= nasm
LD      ?= ld
OBJCOPY ?= objcopy

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wundef -Wvla -Wno-unused-parameter

# Freestanding flags shared by the hypervisor and the guest kernel.
FREESTANDING := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
        -fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
        -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none

# ---- hypervisor ------------------------------------------------------------
HV_INC    := -Ihv/include -Iarch/x86/include
HV_CFLAGS := $(FREESTANDING) $(WARN) $(HV_INC) -mcmodel=small -MMD -MP
HV_C      := $(wildcard hv/*.c hv/lib/*.c arch/x86/*.c arch/x86/vmx/*.c)
HV_C      := $(filter-out arch/x86/asm-offsets.c,$(HV_C))
HV_ASM    := $(wildcard arch/x86/*.asm arch/x86/vmx/*.asm)
HV_OBJ    := $(HV_C:%.c=$(BUILD)/hv/%.o) $(HV_ASM:%.asm=$(BUILD)/hv/%.o)

# XENVER_changeset reports the source revision the hypervisor was built from.
MICA_CHANGESET := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
$(BUILD)/hv/hv/xen_version.o: HV_CFLAGS += -DMICA_CHANGESET='"$(MICA_CHANGESET)"'

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC    $<'
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.o: %.asm $(BUILD)/asm-offsets.inc
	@mkdir -p $(dir $@)
	@echo '  NASM  $<'
	$(Q)$(NASM) -f elf64 -g -I$(BUILD)/ -Iarch/x86/ $< -o $@

# Structure offsets for nasm come from C (arch/x86/asm-offsets.c), never by hand.
$(BUILD)/asm-offsets.inc: arch/x86/asm-offsets.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MF /dev/null -S $< -o $(BUILD)/asm-offsets.s
	sed -n 's/.*->\([A-Za-z_0-9]*\) \$$\{0,1\}\([-0-9]*\).*/%define \1 \2/p' \
		$(BUILD)/asm-offsets.s > $@

$(BUILD)/mica.elf: $(HV_OBJ) linker.ld
	@echo "  LD    $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld \
		-o $@ $(HV_OBJ)

# ---- UEFI loader (GNU-EFI) -------------------------------------------------
# -isystem: the GNU-EFI headers are not -Wundef clean; our own code still is.
EFI_INC    := -isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -Ihv/include
EFI_CFLAGS := -std=gnu11 -O2 -fpic -fshort-wchar -ffreestanding -fno-stack-protector \
        -fno-strict-aliasing -mno-red-zone -maccumulate-outgoing-args \
        -DGNU_EFI_USE_MS_ABI -DEFI_FUNCTION_WRAPPER $(WARN) -Wno-strict-prototypes \
        -Wno-missing-prototypes $(EFI_INC) -MMD -MP
BOOT_C     := $(wildcard boot/*.c)
BOOT_OBJ   := $(BOOT_C:%.c=$(BUILD)/boot/%.o)

$(BUILD)/boot/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC    $<'
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/loader.so: $(BOOT_OBJ)
	$(LD) -shared -Bsymbolic -nostdlib -znocombreloc -T /usr/lib/elf_x86_64_efi.lds \
		/usr/lib/crt0-efi-x86_64.o $(BOOT_OBJ) -o $@ -L/usr/lib -lefi -lgnuefi

$(BUILD)/BOOTX64.EFI: $(BUILD)/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 $< $@

# ---- guest-pv kernel: built as dom0 and as domU -----------------------------
GUEST_CFLAGS := $(FREESTANDING) $(WARN) -Ihv/include -Iguest-pv -mcmodel=small -MMD -MP
GUEST_C      := $(wildcard guest-pv/*.c)
GUEST_ASM    := $(wildcard guest-pv/*.asm)
# The hypercall ABI conformance suite (test=conformance) is linked into the guest.
ABI_C        := $(wildcard tests/abi/*.c)
ABI_ASM      := $(wildcard tests/abi/*.asm)


define guest_variant
$(BUILD)/guest-$(1)/%.o: guest-pv/%.c
	@mkdir -p $$(dir $$@)
	@echo '  CC    $$< ($(1))'
	$(Q)$(CC) $(GUEST_CFLAGS) $(2) -c $$< -o $$@
$(BUILD)/guest-$(1)/%.o: guest-pv/%.asm
	@mkdir -p $$(dir $$@)
	@echo '  NASM  $$< ($(1))'
	$(Q)$(NASM) -f elf64 -g -Iguest-pv/ $$< -o $$@
$(BUILD)/guest-$(1)/abi/%.o: tests/abi/%.c
	@mkdir -p $$(dir $$@)
	@echo '  CC    $$< ($(1))'
	$(Q)$(CC) $(GUEST_CFLAGS) $(2) -c $$< -o $$@
$(BUILD)/guest-$(1)/abi/%.o: tests/abi/%.asm
	@mkdir -p $$(dir $$@)
	@echo '  NASM  $$< ($(1))'
	$(Q)$(NASM) -f elf64 -g -Itests/abi/ $$< -o $$@
$(BUILD)/$(1).elf: $(GUEST_C:guest-pv/%.c=$(BUILD)/guest-$(1)/%.o) \
		$(GUEST_ASM:guest-pv/%.asm=$(BUILD)/guest-$(1)/%.o) \
		$(ABI_C:tests/abi/%.c=$(BUILD)/guest-$(1)/abi/%.o) \
		$(ABI_ASM:tests/abi/%.asm=$(BUILD)/guest-$(1)/abi/%.o) guest-pv/guest.ld
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T guest-pv/guest.ld \
		-o $$@ $$(filter %.o,$$^)
endef
$(eval $(call guest_variant,dom0,-DGUEST_DOM0=1))
$(eval $(call guest_variant,domu,-DGUEST_DOM0=0))

# ---- images ----------------------------------------------------------------
IMAGE_FILES := $(BUILD)/BOOTX64.EFI $(BUILD)/mica.elf $(BUILD)/dom0.elf $(BUILD)/domu.elf

$(BUILD)/esp.img: $(IMAGE_FILES) scripts/mkimage.sh boot/mica.cfg
	scripts/mkimage.sh --esp $@ --config boot/mica.cfg $(IMAGE_FILES)

$(BUILD)/disk.img: $(IMAGE_FILES) scripts/mkimage.sh boot/mica.cfg
	scripts/mkimage.sh --gpt $@ --config boot/mica.cfg $(IMAGE_FILES)

# ---- host unit tests -------------------------------------------------------
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -Ihv/include \
        -Iarch/x86/include -Itests/unit -DMICA_HOST_TEST -fsanitize=address,undefined
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

# Each test lists the real sources it compiles in tests/unit/<test>.sources;
# it is rebuilt when any of them (or a header they include) changes.
.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c tests/unit/%.sources $$(shell cat tests/unit/$$*.sources)
	@mkdir -p $(dir $@)
	@echo '  TEST  $@'
	$(Q)$(CC) $(UNIT_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(shell cat tests/unit/$*.sources)

# ---- top-level targets -----------------------------------------------------
.PHONY: all deps unit test run run-qemu bench fuzz clean
.DEFAULT_GOAL := all
all: $(IMAGE_FILES) $(BUILD)/esp.img $(BUILD)/disk.img

deps:
	scripts/install-deps.sh

unit: $(UNIT_BIN)

test: deps
	$(MAKE) all unit
	tests/run-tests.sh

run: deps
	$(MAKE) all
	scripts/bochs-run.sh --image $(BUILD)/esp.img --console

# Path lengths in Bochs (docs/performance.md): prints a table, writes build/bench.json.
bench: deps
	$(MAKE) all
	scripts/bench.sh

# One hypercall-fuzzing run in Bochs (scripts/fuzz.sh): replays a seed exactly.
SEED  ?= 1
CALLS ?= 10000
fuzz: deps
	$(MAKE) all
	scripts/fuzz.sh --seed $(SEED) --calls $(CALLS) $(if $(TRACE),--trace $(TRACE))

run-qemu: deps
	$(MAKE) all
	scripts/qemu-run.sh --image $(BUILD)/esp.img --console

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
