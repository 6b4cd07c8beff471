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

# ---- who may include what ---------------------------------------------------
# hv/ sees hv/include/ only; arch/ also sees arch/x86/include/; the loader
# sees hv/include/mica/ and hv/include/public/; guest code sees
# hv/include/public/ alone. After each compile scripts/check-includes.sh
# reads the object's dependency list and fails the build, naming the file
# and the rule, if it included anything else (relative paths included).
CHECK_INCLUDES = $(Q)scripts/check-includes.sh $(1) $(2)

# ---- hypervisor ------------------------------------------------------------
HV_CFLAGS := $(FREESTANDING) $(WARN) -Ihv/include -mcmodel=small -MMD -MP
HV_C      := $(wildcard hv/*.c hv/lib/*.c arch/x86/*.c arch/x86/vmx/*.c)
HV_C      := $(filter-out arch/x86/asm-offsets.c,$(HV_C))
HV_ASM    := $(wildcard arch/x86/*.asm arch/x86/vmx/*.asm)
HV_OBJ    := $(HV_C:%.c=$(BUILD)/hv/%.o) $(HV_ASM:%.asm=$(BUILD)/hv/%.o)

# XENVER_changeset reports the source revision the hypervisor was built from.
MICA_CHANGESET := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
$(BUILD)/hv/hv/xen_version.o: HV_CFLAGS += -DMICA_CHANGESET='"$(MICA_CHANGESET)"'

# arch/ sources also see arch/x86/include/; hv/ sources must not.
$(BUILD)/hv/arch/%.o: HV_AREA := arch
$(BUILD)/hv/arch/%.o: HV_CFLAGS += -Iarch/x86/include
$(BUILD)/hv/hv/%.o: HV_AREA := hv

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC    $<'
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@
	$(call CHECK_INCLUDES,$(HV_AREA),$(@:.o=.d))

$(BUILD)/hv/%.o: %.asm $(BUILD)/asm-offsets.inc
	@mkdir -p $(dir $@)
	@echo '  NASM  $<'
	$(Q)$(NASM) -f elf64 -g -I$(BUILD)/ -Iarch/x86/ $< -o $@

# Structure offsets for nasm come from C (arch/x86/asm-offsets.c), never by hand.
# Its .d makes a change to any header it reads regenerate the offsets.
$(BUILD)/asm-offsets.inc: arch/x86/asm-offsets.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -Iarch/x86/include -MF $(BUILD)/asm-offsets.d -MT $@ -S $< \
		-o $(BUILD)/asm-offsets.s
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
	$(call CHECK_INCLUDES,loader,$(@:.o=.d))

$(BUILD)/loader.so: $(BOOT_OBJ)
	$(LD) -shared -Bsymbolic -nostdlib -znocombreloc -T /usr/lib/elf_x86_64_efi.lds \
		/usr/lib/crt0-efi-x86_64.o $(BOOT_OBJ) -o $@ -L/usr/lib -lefi -lgnuefi

$(BUILD)/BOOTX64.EFI: $(BUILD)/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 $< $@

# ---- guest-pv: production images and test images ----------------------------
# The kernel (guest-pv/kernel/) is compiled once per role, dom0 and domU;
# each image links it with the folders that give it its image_main():
#   dom0.elf, domu.elf            guest-pv/dom0/ (+ drivers/, net/, xenstore/,
#                                 backends/, toolstack/ as they land), guest-pv/domu/
#   dom0-test.elf, domu-test.elf  tests/guest/ (test actions) and tests/abi/
#                                 (the conformance suite), for tests/system,
#                                 with guest-pv/drivers/ and net/ for the device tests
#                                 (in a domU they must find no device)
# Production images carry no test code.
GUEST_CFLAGS := $(FREESTANDING) $(WARN) -Ihv/include -Iguest-pv/kernel -Iguest-pv/drivers \
        -Iguest-pv/net -Iguest-pv/toolstack -mcmodel=small -MMD -MP
GUEST_KERNEL := guest-pv/kernel
GUEST_DOM0   := guest-pv/dom0 guest-pv/drivers guest-pv/net guest-pv/xenstore guest-pv/backends \
                guest-pv/toolstack
GUEST_DOMU   := guest-pv/domu
GUEST_TESTS  := tests/guest tests/abi guest-pv/drivers guest-pv/net

guest_src  = $(wildcard $(addsuffix /*.c,$(1)) $(addsuffix /*.asm,$(1)))
# guest_objs ROLE, DIRS: the objects of DIRS' sources built for ROLE.
guest_objs = $(patsubst %,$(BUILD)/guest-$(1)/%.o,$(basename $(call guest_src,$(2))))

# guest_role ROLE, FLAGS: compile rules for one role.
define guest_role
$(BUILD)/guest-$(1)/tests/%.o: GUEST_CFLAGS += -Itests/guest
$(BUILD)/guest-$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo '  CC    $$< ($(1))'
	$(Q)$(CC) $$(GUEST_CFLAGS) $(2) -c $$< -o $$@
	$$(call CHECK_INCLUDES,$$(GUEST_AREA),$$(@:.o=.d))
$(BUILD)/guest-$(1)/%.o: %.asm
	@mkdir -p $$(dir $$@)
	@echo '  NASM  $$< ($(1))'
	$(Q)$(NASM) -f elf64 -g -I$$(dir $$<) $$< -o $$@
endef
$(eval $(call guest_role,dom0,-DGUEST_DOM0=1))
$(eval $(call guest_role,domu,-DGUEST_DOM0=0))
GUEST_AREA := guest
# The toolstack's `create` reads a mica.cfg domain line with the loader's
# own parser, compiled into dom0 too: those two may also see its header.
$(BUILD)/guest-dom0/guest-pv/toolstack/%.o $(BUILD)/guest-dom0/boot/%.o: GUEST_AREA := toolstack
TOOLSTACK_SHARED := $(BUILD)/guest-dom0/boot/bootcfg.o
$(BUILD)/guest-dom0/guest-pv/dom0/%.o: GUEST_CFLAGS += -Iguest-pv/toolstack
# The xenstore daemon (toolstack/xenstored.c) drives the engine and its rings.
$(BUILD)/guest-dom0/guest-pv/toolstack/%.o: GUEST_CFLAGS += -Iguest-pv/xenstore

# guest_image IMAGE, ROLE, DIRS: link the kernel for ROLE with DIRS.
define guest_image
$(BUILD)/$(1).elf: $(call guest_objs,$(2),$(GUEST_KERNEL) $(3)) $(GUEST_KERNEL)/guest.ld
	@echo '  LD    $$@'
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T $(GUEST_KERNEL)/guest.ld -o $$@ $$(filter %.o,$$^)
endef
$(eval $(call guest_image,dom0,dom0,$(GUEST_DOM0)))
$(BUILD)/dom0.elf: $(TOOLSTACK_SHARED)
$(eval $(call guest_image,domu,domu,$(GUEST_DOMU)))
$(eval $(call guest_image,dom0-test,dom0,$(GUEST_TESTS)))
$(eval $(call guest_image,domu-test,domu,$(GUEST_TESTS)))

# ---- images ----------------------------------------------------------------
IMAGE_FILES := $(BUILD)/BOOTX64.EFI $(BUILD)/mica.elf $(BUILD)/dom0.elf $(BUILD)/domu.elf
TEST_IMAGES := $(BUILD)/dom0-test.elf $(BUILD)/domu-test.elf

# dom0's boot modules (modules=images in boot/mica.cfg): the kernels its
# toolstack can create domains from.
BOOT_MODULES := $(BUILD)/domu.elf=images/domu.elf

$(BUILD)/esp.img: $(IMAGE_FILES) scripts/mkimage.sh boot/mica.cfg
	scripts/mkimage.sh --esp $@ --config boot/mica.cfg $(IMAGE_FILES) $(BOOT_MODULES)

$(BUILD)/disk.img: $(IMAGE_FILES) scripts/mkimage.sh boot/mica.cfg
	scripts/mkimage.sh --gpt $@ --config boot/mica.cfg $(IMAGE_FILES) $(BOOT_MODULES)

# ---- host unit tests -------------------------------------------------------
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -Ihv/include \
        -Iarch/x86/include -Itests/unit -DMICA_HOST_TEST -fsanitize=address,undefined
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
# The network stack's test compiles guest code, which sees the guest's headers.
$(BUILD)/unit/test_net_stack: UNIT_CFLAGS += -Iguest-pv/kernel -Iguest-pv/drivers -Iguest-pv/net
$(BUILD)/unit/test_line_edit: UNIT_CFLAGS += -Iguest-pv/toolstack
$(BUILD)/unit/test_xenstore%: UNIT_CFLAGS += -Iguest-pv/kernel -Iguest-pv/xenstore
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

# Each test lists the real sources it compiles in tests/unit/<test>.sources;
# it is rebuilt when any of them (or a header they include) changes.
.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c tests/unit/%.sources $$(shell cat tests/unit/$$*.sources)
	@mkdir -p $(dir $@)
	@echo '  TEST  $@'
	$(Q)$(CC) $(UNIT_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(shell cat tests/unit/$*.sources)

# ---- top-level targets -----------------------------------------------------
.PHONY: all deps unit test run run-qemu bench fuzz soak clean
.DEFAULT_GOAL := all
all: $(IMAGE_FILES) $(TEST_IMAGES) $(BUILD)/esp.img $(BUILD)/disk.img

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

# One fuzzing run in Bochs (scripts/fuzz.sh, docs/security.md): replays a
# seed exactly. CALLS hypercalls (0: none) and INSNS instructions (0: none);
# ENABLE= turns on the instruction generators that are off by default.
SEED  ?= 1
CALLS ?= 10000
INSNS ?= 0
fuzz: deps
	$(MAKE) all
	scripts/fuzz.sh --seed $(SEED) --calls $(CALLS) --insns $(INSNS) \
		$(if $(ENABLE),--enable $(ENABLE)) $(if $(TRACE),--trace $(TRACE))

# The long run, not part of `make test`: 10^7 hypercalls and 10^7
# instructions beside a ring pair on 2 CPUs unless SEED/CALLS/INSNS say
# otherwise; rates, per-class summaries and the leak check (docs/security.md).
soak_default = $(if $(filter file,$(origin $(1))),$(2),$($(1)))
SOAK_CALLS = $(call soak_default,CALLS,10000000)
SOAK_INSNS = $(call soak_default,INSNS,10000000)
soak: deps
	$(MAKE) all
	scripts/fuzz.sh --seed $(SEED) --calls $(SOAK_CALLS) --insns $(SOAK_INSNS) --ring --cpus 2 \
		--timeout $$(( 600 + $(SOAK_CALLS) / 500 + $(SOAK_INSNS) / 5000 )) --out $(BUILD)/soak \
		$(if $(ENABLE),--enable $(ENABLE))

run-qemu: deps
	$(MAKE) all
	scripts/qemu-run.sh --image $(BUILD)/esp.img --console

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
