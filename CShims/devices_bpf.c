// cgroup v2 device access control: cgroup v2 has no devices.allow/deny files; the kernel instead
// runs a BPF_PROG_TYPE_CGROUP_DEVICE program on every open/mknod of a device node by a task in the
// cgroup. We assemble that program by hand from the OCI rules (no libbpf, no clang at run time).
//
// Context (struct bpf_cgroup_dev_ctx, linux/bpf.h), all u32:
//     +0  access_type = (access << 16) | type   type:   BPF_DEVCG_DEV_BLOCK 1, BPF_DEVCG_DEV_CHAR 2
//                                               access: BPF_DEVCG_ACC_MKNOD 1, READ 2, WRITE 4
//     +4  major
//     +8  minor
// Return value: 1 allows the access, 0 denies it (-EPERM to the caller).
//
// Program layout:
//     prologue   r2 = type, r3 = access, r4 = major, r5 = minor        (6 instructions)
//     rule n-1   ┐ one block per rule, LAST rule first: the first block that matches returns its
//     ...        │ verdict, so a later rule overrides an earlier one (as writing devices.allow /
//     rule 0     ┘ devices.deny in order does on v1). A block that does not match jumps to the next.
//     epilogue   r0 = 0; exit                                           (default deny)
//
// One block, each test present only when the rule narrows it:
//     if r2 != TYPE  goto next          rule type 'c' or 'b' ('a' matches every type)
//     if r4 != MAJOR goto next          rule major given (not a wildcard)
//     if r5 != MINOR goto next          rule minor given
//     w1 = w3; w1 &= ACCESS             rule access is not "rwm":
//     if r1 != r3 goto next               allow: the request must be a subset of the rule's access
//     if r1 == 0  goto next               deny:  the request only has to overlap it (a deny of "w"
//                                                must refuse an O_RDWR open: v1 matches denials
//                                                partially, and subset matching would fall through
//                                                to an earlier, broader allow)
//     r0 = ALLOW; exit
//
// A type 'a' rule matches every device whatever its major/minor/access, as "a" written to v1
// devices.allow / devices.deny resets the whole list: everything before it is irrelevant.
#include "cshims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define SL_BLOCK_MAX 8           // longest rule block, in instructions
#define SL_RULES_MAX 4096        // keeps the program far below the verifier's limits

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    struct bpf_insn i;
    memset(&i, 0, sizeof i);
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

// w<dst> = *(u32 *)(r<src> + off)
static struct bpf_insn ldx_w(uint8_t dst, uint8_t src, int16_t off) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
static struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
static struct bpf_insn mov32_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
static struct bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
static struct bpf_insn jmp_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
    return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}
static struct bpf_insn jmp_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) {
    return insn(BPF_JMP | op | BPF_X, dst, src, off, 0);
}
static struct bpf_insn exit_insn(void) {
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int rule_valid(const struct sl_device_rule *r) {
    if (r->type != 'a' && r->type != 'c' && r->type != 'b')
        return 0;
    if (r->access == 0 || (r->access & ~(uint32_t)SL_ACC_ALL) != 0)
        return 0;
    // Kernel device numbers are 12 + 20 bits; anything that does not fit the signed 32-bit
    // immediate of a JMP instruction cannot name a real device.
    if (r->major < -1 || r->major > INT32_MAX || r->minor < -1 || r->minor > INT32_MAX)
        return 0;
    return 1;
}

// Appends one rule block at `out` and returns its length. Jump offsets are relative to the
// instruction after the jump, so "goto next" from position i of a block of length n is n - i - 1.
static size_t emit_rule(const struct sl_device_rule *r, struct bpf_insn *out) {
    struct bpf_insn b[SL_BLOCK_MAX];
    int is_jump[SL_BLOCK_MAX] = {0};
    size_t n = 0;

    if (r->type != 'a') {
        int32_t type = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
        is_jump[n] = 1;
        b[n++] = jmp_imm(BPF_JNE, BPF_REG_2, type, 0);
        if (r->major >= 0) {
            is_jump[n] = 1;
            b[n++] = jmp_imm(BPF_JNE, BPF_REG_4, (int32_t)r->major, 0);
        }
        if (r->minor >= 0) {
            is_jump[n] = 1;
            b[n++] = jmp_imm(BPF_JNE, BPF_REG_5, (int32_t)r->minor, 0);
        }
        if (r->access != SL_ACC_ALL) {
            b[n++] = mov32_reg(BPF_REG_1, BPF_REG_3);
            b[n++] = alu32_imm(BPF_AND, BPF_REG_1, (int32_t)r->access);
            is_jump[n] = 1;
            b[n++] = r->allow ? jmp_reg(BPF_JNE, BPF_REG_1, BPF_REG_3, 0)
                              : jmp_imm(BPF_JEQ, BPF_REG_1, 0, 0);
        }
    }
    b[n++] = mov64_imm(BPF_REG_0, r->allow ? 1 : 0);
    b[n++] = exit_insn();

    for (size_t i = 0; i < n; i++) {
        if (is_jump[i])
            b[i].off = (int16_t)(n - i - 1);
        out[i] = b[i];
    }
    return n;
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int sl_devices_bpf_attach(int cgroup_dirfd, const struct sl_device_rule *rules, uint32_t n_rules) {
    if (cgroup_dirfd < 0 || (n_rules > 0 && rules == NULL) || n_rules > SL_RULES_MAX)
        return -EINVAL;
    for (uint32_t i = 0; i < n_rules; i++)
        if (!rule_valid(&rules[i]))
            return -EINVAL;

    size_t cap = 6 + (size_t)n_rules * SL_BLOCK_MAX + 2;
    struct bpf_insn *prog = calloc(cap, sizeof *prog);
    if (prog == NULL)
        return -ENOMEM;

    size_t n = 0;
    // prologue: split the context into r2..r5
    prog[n++] = ldx_w(BPF_REG_2, BPF_REG_1, 0);          // w2 = access_type
    prog[n++] = alu32_imm(BPF_AND, BPF_REG_2, 0xffff);    // w2 &= 0xffff   -> type
    prog[n++] = ldx_w(BPF_REG_3, BPF_REG_1, 0);          // w3 = access_type
    prog[n++] = alu32_imm(BPF_RSH, BPF_REG_3, 16);        // w3 >>= 16      -> access
    prog[n++] = ldx_w(BPF_REG_4, BPF_REG_1, 4);          // w4 = major
    prog[n++] = ldx_w(BPF_REG_5, BPF_REG_1, 8);          // w5 = minor

    // rules, last first; an 'a' rule always decides, so nothing after it could run (and the
    // verifier refuses unreachable instructions)
    int decided = 0;
    for (uint32_t i = n_rules; i-- > 0 && !decided;) {
        n += emit_rule(&rules[i], prog + n);
        decided = rules[i].type == 'a';
    }
    if (!decided) {
        // epilogue: default deny
        prog[n++] = mov64_imm(BPF_REG_0, 0);
        prog[n++] = exit_insn();
    }

    static const char license[] = "GPL";
    union bpf_attr load;
    memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insn_cnt = (uint32_t)n;
    load.insns = (uint64_t)(uintptr_t)prog;
    load.license = (uint64_t)(uintptr_t)license;
    long prog_fd = sys_bpf(BPF_PROG_LOAD, &load);
    int load_errno = errno;
    free(prog);
    if (prog_fd < 0)
        return -load_errno;
    // syscall(2) does not set O_CLOEXEC for us; the kernel already creates BPF fds close-on-exec.

    union bpf_attr attach;
    memset(&attach, 0, sizeof attach);
    attach.target_fd = (uint32_t)cgroup_dirfd;
    attach.attach_bpf_fd = (uint32_t)prog_fd;
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = 0;   // exclusive: replaces a previous program attached here
    if (sys_bpf(BPF_PROG_ATTACH, &attach) < 0) {
        int err = errno;
        close((int)prog_fd);
        return -err;
    }
    return (int)prog_fd;
}
