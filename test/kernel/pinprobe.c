// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinprobe - real-kernel ground truth for pinscope's pin simulator.
 *
 * Performs real FOLL_PIN users (O_DIRECT read/write through the block layer,
 * io_uring fixed-buffer registration) and reports how /proc/vmstat
 * nr_foll_pin_acquired / nr_foll_pin_released move around each step.
 *
 *   cc -O2 -Wall -Wextra -o pinprobe pinprobe.c
 *   pinprobe <scenario> [--repeat N] [--no-refresh]
 *   pinprobe --list
 *
 * Output: exactly one JSON object on stdout.
 *   {"scenario":"...","ok":true,"repeat":N,
 *    "steps":[{"label":"...","acquired":[d1,...],"released":[d1,...]}],
 *    "notes":[...]}
 * or, when the scenario cannot run on this machine (exit status 0):
 *   {"scenario":"...","ok":false,"skip":"<reason>"}
 * Exit 2 on usage errors, 1 on an unexpected failure (message on stderr).
 *
 * Measurement notes (see README.md):
 *  - The node counters behind nr_foll_pin_* are per-CPU batched
 *    (mm/vmstat.c: mod_node_state() only folds a CPU's diff into the global
 *    counter past stat_threshold, or from vmstat_update() once a second).
 *    A 4-page pin is usually invisible in /proc/vmstat without a fold, so
 *    before every read we write /proc/sys/vm/stat_refresh (root only), which
 *    runs refresh_vm_stats() on every CPU (mm/vmstat.c: vmstat_refresh()).
 *  - Synchronous O_DIRECT wakes the caller *before* the bio's pages are
 *    unpinned (fs/iomap/direct-io.c: iomap_dio_bio_end_io() calls
 *    iomap_dio_done() -> blk_wake_io_task() and only then
 *    bio_release_pages()), so every reading is repeated until it is stable.
 *  - The counters are system-wide: other pinning activity adds noise, which
 *    is why every step is repeated and the caller takes the mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#define PP_IORING_REGISTER_BUFFERS 0u
#define PP_IORING_UNREGISTER_BUFFERS 1u

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PP_TMPFS_MAGIC 0x01021994L
#define PP_RAMFS_MAGIC 0x858458f6L
#define PP_EXT4_MAGIC 0xEF53L
#define PP_XFS_MAGIC 0x58465342L
#define PP_BTRFS_MAGIC 0x9123683EL

#define PG 4096UL
#define HPAGE (2UL * 1024 * 1024)
#define FILE_DATA_BYTES (4UL * 1024 * 1024) /* written + fsynced */
#define FILE_TOTAL_BYTES (8UL * 1024 * 1024) /* [4 MiB, 8 MiB) is a hole */
#define HOLE_OFFSET FILE_DATA_BYTES

#define MAX_REPEAT 1000
#define MAX_STEPS 4
#define MAX_NOTES 48
#define NOTE_LEN 600

struct step {
	const char *label;
	long long acq[MAX_REPEAT];
	long long rel[MAX_REPEAT];
	int lagged; /* reps where the counters still moved after the syscall returned */
};

static const char *g_scenario = "";
static int g_repeat = 5;
static int g_use_refresh = 1;
static int g_refresh_state = -1; /* -1 unknown, 1 works, 0 unavailable */
static struct step g_steps[MAX_STEPS];
static int g_nsteps;
static char g_notes[MAX_NOTES][NOTE_LEN];
static int g_nnotes;
static int g_file_fd = -1;

/* ------------------------------------------------------------------ */
/* output helpers                                                      */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	if (g_nnotes >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(g_notes[g_nnotes++], NOTE_LEN, fmt, ap);
	va_end(ap);
}

static void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void skip(const char *fmt, ...)
{
	char buf[NOTE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("{\"scenario\":");
	json_str(stdout, g_scenario);
	printf(",\"ok\":false,\"skip\":");
	json_str(stdout, buf[0] ? buf : "skipped");
	printf("}\n");
	exit(0);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pinprobe %s: ", g_scenario);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void print_result(void)
{
	int s, r, n;

	printf("{\"scenario\":");
	json_str(stdout, g_scenario);
	printf(",\"ok\":true,\"repeat\":%d,\"steps\":[", g_repeat);
	for (s = 0; s < g_nsteps; s++) {
		printf("%s{\"label\":", s ? "," : "");
		json_str(stdout, g_steps[s].label);
		printf(",\"acquired\":[");
		for (r = 0; r < g_repeat; r++)
			printf("%s%lld", r ? "," : "", g_steps[s].acq[r]);
		printf("],\"released\":[");
		for (r = 0; r < g_repeat; r++)
			printf("%s%lld", r ? "," : "", g_steps[s].rel[r]);
		printf("]}");
	}
	printf("],\"notes\":[");
	for (n = 0; n < g_nnotes; n++) {
		if (n)
			putchar(',');
		json_str(stdout, g_notes[n]);
	}
	printf("]}\n");
}

/* ------------------------------------------------------------------ */
/* counters                                                            */

struct snap {
	long long acq, rel;
};

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Fold every CPU's vmstat diff into the global counters (root only). */
static void vmstat_fold(void)
{
	int fd;
	ssize_t w;

	if (!g_use_refresh || g_refresh_state == 0)
		return;
	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		w = write(fd, "1\n", 2);
		close(fd);
		/* Old kernels returned -EINVAL after folding when a stat was negative. */
		if (w == 2 || (w < 0 && errno == EINVAL)) {
			g_refresh_state = 1;
			return;
		}
	}
	g_refresh_state = 0;
	/*
	 * Without the fold, deltas below the per-CPU stat_threshold stay invisible
	 * until vmstat_update() runs (~1 s, deferrable): a 4-page pin reads as 0
	 * most of the time and as a burst of ~25 later. That is not ground truth.
	 */
	skip("cannot write /proc/sys/vm/stat_refresh (%s; needs root): per-CPU vmstat batching would hide small nr_foll_pin_* deltas (rerun as root, or pass --no-refresh for a diagnostic run)",
	     fd < 0 ? strerror(errno) : "write failed");
}

static struct snap read_counters(void)
{
	struct snap s = { -1, -1 };
	char line[256];
	FILE *f;

	vmstat_fold();
	f = fopen("/proc/vmstat", "re");
	if (!f)
		skip("cannot open /proc/vmstat: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		long long v;

		if (sscanf(line, "nr_foll_pin_acquired %lld", &v) == 1)
			s.acq = v;
		else if (sscanf(line, "nr_foll_pin_released %lld", &v) == 1)
			s.rel = v;
	}
	fclose(f);
	if (s.acq < 0 || s.rel < 0)
		skip("/proc/vmstat has no nr_foll_pin_acquired/nr_foll_pin_released (kernel < 5.7?)");
	return s;
}

/*
 * Read until two consecutive readings 1 ms apart agree (max ~200 ms).
 * *first receives the very first reading (taken right after the syscall).
 */
static struct snap read_settled(struct snap *first)
{
	struct snap a = read_counters(), b;
	int i, stable = 0;

	if (first)
		*first = a;
	for (i = 0; i < 200 && stable < 2; i++) {
		sleep_us(1000);
		b = read_counters();
		if (b.acq == a.acq && b.rel == a.rel)
			stable++;
		else
			stable = 0;
		a = b;
	}
	return a;
}

static struct snap g_before;

static int add_step(const char *label)
{
	if (g_nsteps >= MAX_STEPS)
		die("too many steps");
	g_steps[g_nsteps].label = label;
	return g_nsteps++;
}

static void step_begin(void)
{
	g_before = read_settled(NULL);
}

static void step_end(int idx, int rep)
{
	struct snap first, after = read_settled(&first);

	g_steps[idx].acq[rep] = after.acq - g_before.acq;
	g_steps[idx].rel[rep] = after.rel - g_before.rel;
	if (first.acq != after.acq || first.rel != after.rel)
		g_steps[idx].lagged++;
}

static void note_lag(void)
{
	int s;

	for (s = 0; s < g_nsteps; s++)
		if (g_steps[s].lagged)
			note("step '%s': in %d/%d reps the counters were still moving right after the syscall returned; values are taken after they settled",
			     g_steps[s].label, g_steps[s].lagged, g_repeat);
}

/* ------------------------------------------------------------------ */
/* memory helpers                                                      */

/* touch: 0 = leave untouched, 1 = write every page, 2 = read every page */
static char *map_base(size_t npages, int touch)
{
	size_t len = npages * PG, i;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (madvise(p, len, MADV_NOHUGEPAGE))
		note("madvise(MADV_NOHUGEPAGE) failed: %s", strerror(errno));
	for (i = 0; i < npages; i++) {
		if (touch == 1)
			p[i * PG] = (char)(i + 1);
		else if (touch == 2)
			(void)*(volatile char *)(p + i * PG);
	}
	return p;
}

/* AnonHugePages (kB) of the VMA containing addr, from /proc/self/smaps. */
static long anon_huge_kb(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	char line[512];
	int in_vma = 0;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		long v;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if (in_vma)
				break;
			in_vma = (a >= lo && a < hi);
			continue;
		}
		if (in_vma && sscanf(line, "AnonHugePages: %ld kB", &v) == 1) {
			kb = v;
			break;
		}
	}
	fclose(f);
	return kb;
}

static const char *thp_setting(void)
{
	static char buf[128];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return "unknown";
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* A 2 MiB-aligned, 2 MiB anonymous buffer backed by one PMD-mapped THP, or skip. */
static char *map_thp(void)
{
	size_t rawlen = 2 * HPAGE;
	char *raw = mmap(NULL, rawlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;
	long kb;

	if (raw == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1));
	/* Trim the unaligned head/tail so the THP VMA stands alone. */
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (p + HPAGE < raw + rawlen)
		munmap(p + HPAGE, (size_t)(raw + rawlen - (p + HPAGE)));
	if (madvise(p, HPAGE, MADV_HUGEPAGE))
		skip("madvise(MADV_HUGEPAGE) failed: %s (THP not configured?)", strerror(errno));
	memset(p, 0x5a, HPAGE);
	kb = anon_huge_kb(p);
	if (kb < 2048) {
		/* The fault path could not get a huge page; try a synchronous collapse. */
		if (madvise(p, HPAGE, MADV_COLLAPSE) == 0)
			kb = anon_huge_kb(p);
	}
	if (kb < 2048)
		skip("could not obtain a PMD-mapped THP (AnonHugePages=%ld kB in smaps, THP enabled=%s)",
		     kb, thp_setting());
	note("buffer %p is one PMD-mapped THP (smaps AnonHugePages: %ld kB; THP enabled=%s)",
	     (void *)p, kb, thp_setting());
	return p;
}

static void check_thp_still(const char *p)
{
	long kb = anon_huge_kb(p);

	if (kb < 2048)
		note("WARNING: after the run the buffer is no longer a whole THP (AnonHugePages=%ld kB)", kb);
}

/* PFNs from /proc/self/pagemap (0 when not present or hidden for non-root). */
static int pagemap_pfns(const void *addr, size_t npages, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < npages; i++) {
		uint64_t e = 0;
		off_t off = (off_t)(((uintptr_t)addr / PG + i) * sizeof(uint64_t));

		if (pread(fd, &e, sizeof(e), off) != (ssize_t)sizeof(e)) {
			close(fd);
			return -1;
		}
		pfns[i] = (e >> 63) & 1 ? (e & ((1ULL << 55) - 1)) : 0;
	}
	close(fd);
	return 0;
}

/* 1 if all npages map one and the same non-zero PFN (the shared zero page), 0 no, -1 unknown */
static int all_same_pfn(const void *addr, size_t npages, uint64_t *pfn0)
{
	uint64_t pfns[64];
	size_t i;

	if (npages > 64 || pagemap_pfns(addr, npages, pfns) || pfns[0] == 0)
		return -1;
	*pfn0 = pfns[0];
	for (i = 1; i < npages; i++)
		if (pfns[i] != pfns[0])
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* O_DIRECT file                                                       */

static const char *fs_name(long type)
{
	switch (type) {
	case PP_EXT4_MAGIC: return "ext2/3/4";
	case PP_XFS_MAGIC: return "xfs";
	case PP_BTRFS_MAGIC: return "btrfs";
	case PP_TMPFS_MAGIC: return "tmpfs";
	case PP_RAMFS_MAGIC: return "ramfs";
	default: return "other";
	}
}

static void setwhy(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setwhy(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Try one directory; return an O_DIRECT fd (file already unlinked) or -1 with *why set. */
static int try_dir(const char *dir, char *why, size_t whylen)
{
	char tdir[PATH_MAX], path[PATH_MAX + 16];
	struct statfs sfs;
	char *chunk;
	size_t done;
	int wfd, fd;

	if (statfs(dir, &sfs)) {
		setwhy(why, whylen, "%s: statfs: %s", dir, strerror(errno));
		return -1;
	}
	if ((long)sfs.f_type == PP_TMPFS_MAGIC || (long)sfs.f_type == PP_RAMFS_MAGIC) {
		/* tmpfs accepts O_DIRECT (>= 6.6) but copies: it would measure no pins at all. */
		setwhy(why, whylen, "%s is %s (no block-layer O_DIRECT)", dir, fs_name((long)sfs.f_type));
		return -1;
	}
	if (snprintf(tdir, sizeof(tdir), "%s/pinprobe.XXXXXX", dir) >= (int)sizeof(tdir) || !mkdtemp(tdir)) {
		setwhy(why, whylen, "%s: mkdtemp: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/data", tdir);
	wfd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	if (wfd < 0) {
		setwhy(why, whylen, "%s: open: %s", path, strerror(errno));
		rmdir(tdir);
		return -1;
	}
	chunk = malloc(256 * 1024);
	if (!chunk)
		die("malloc");
	for (done = 0; done < FILE_DATA_BYTES; done += 256 * 1024) {
		memset(chunk, (int)('A' + (done >> 18) % 26), 256 * 1024);
		if (write(wfd, chunk, 256 * 1024) != 256 * 1024) {
			setwhy(why, whylen, "%s: prefill write: %s", path, strerror(errno));
			free(chunk);
			close(wfd);
			unlink(path);
			rmdir(tdir);
			return -1;
		}
	}
	free(chunk);
	/* Written (not unwritten/delalloc) extents for [0,4M); a real hole for [4M,8M). */
	if (fsync(wfd) || ftruncate(wfd, (off_t)FILE_TOTAL_BYTES) || fsync(wfd)) {
		setwhy(why, whylen, "%s: fsync/ftruncate: %s", path, strerror(errno));
		close(wfd);
		unlink(path);
		rmdir(tdir);
		return -1;
	}
	close(wfd);
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		setwhy(why, whylen, "%s (%s) does not support O_DIRECT: %s", dir,
			 fs_name((long)sfs.f_type), strerror(errno));
		unlink(path);
		rmdir(tdir);
		return -1;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	/* Remove the path right away: the open fd keeps the inode alive and
	 * nothing is left behind even if the probe is killed. */
	unlink(path);
	rmdir(tdir);
	note("O_DIRECT file: 4 MiB written+fsynced, 4 MiB hole, on %s (%s, f_type=0x%lx), unlinked while open",
	     dir, fs_name((long)sfs.f_type), (unsigned long)sfs.f_type);
	return fd;
}

static void setup_file(void)
{
	const char *cands[4];
	char whys[4][NOTE_LEN / 2 - 8];
	int n = 0, i;

	if (getenv("PINPROBE_DIR") && *getenv("PINPROBE_DIR"))
		cands[n++] = getenv("PINPROBE_DIR");
	if (getenv("TMPDIR") && *getenv("TMPDIR"))
		cands[n++] = getenv("TMPDIR");
	cands[n++] = "/tmp";
	cands[n++] = "/var/tmp";
	for (i = 0; i < n; i++) {
		whys[i][0] = 0;
		g_file_fd = try_dir(cands[i], whys[i], sizeof(whys[i]));
		if (g_file_fd >= 0)
			return;
	}
	skip("no directory with block-backed O_DIRECT support: %s; %s%s%s", whys[0], whys[1],
	     n > 2 ? "; " : "", n > 2 ? whys[2] : "");
}

static void dio(int is_write, char *buf, size_t len, off_t off, const char *what)
{
	ssize_t r = is_write ? pwrite(g_file_fd, buf, len, off) : pread(g_file_fd, buf, len, off);

	if (r < 0) {
		if (errno == EINVAL)
			skip("O_DIRECT %s of %zu bytes failed with EINVAL (alignment/fs restriction)",
			     is_write ? "write" : "read", len);
		die("O_DIRECT %s (%s): %s", is_write ? "write" : "read", what, strerror(errno));
	}
	if ((size_t)r != len)
		note("short O_DIRECT %s (%s): %zd of %zu bytes", is_write ? "write" : "read", what, r, len);
}

/* ------------------------------------------------------------------ */
/* io_uring (raw syscalls, no liburing)                                */

static int ring_setup(void)
{
	uint32_t params[30]; /* struct io_uring_params is 120 bytes; all-zero is valid */
	long fd;

	memset(params, 0, sizeof(params));
	fd = syscall(__NR_io_uring_setup, 4u, params);
	if (fd < 0) {
		int e = errno;
		FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
		int dis = -1;

		if (f) {
			if (fscanf(f, "%d", &dis) != 1)
				dis = -1;
			fclose(f);
		}
		skip("io_uring_setup failed: %s (kernel.io_uring_disabled=%d)", strerror(e), dis);
	}
	return (int)fd;
}

static long ring_register(int fd, unsigned op, void *arg, unsigned nr)
{
	return syscall(__NR_io_uring_register, fd, op, arg, nr);
}

static void register_buf(int ring, void *base, size_t len)
{
	struct iovec iov = { base, len };

	if (ring_register(ring, PP_IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
		int e = errno;

		if (e == ENOMEM)
			skip("IORING_REGISTER_BUFFERS: ENOMEM (RLIMIT_MEMLOCK too small for %zu bytes?)", len);
		if (e == EPERM || e == EINVAL || e == EOPNOTSUPP)
			skip("IORING_REGISTER_BUFFERS not usable here: %s", strerror(e));
		die("IORING_REGISTER_BUFFERS: %s", strerror(e));
	}
}

static void unregister_buf(int ring)
{
	if (ring_register(ring, PP_IORING_UNREGISTER_BUFFERS, NULL, 0) < 0)
		die("IORING_UNREGISTER_BUFFERS: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* scenarios                                                           */

static void sc_odirect_base(int is_write)
{
	int st = add_step(is_write ? "write" : "read"), r;
	char *buf;

	setup_file();
	buf = map_base(4, 1);
	for (r = 0; r < g_repeat; r++) {
		step_begin();
		dio(is_write, buf, 4 * PG, 0, "4 base pages");
		step_end(st, r);
	}
	note("%s of 16384 bytes at offset 0 with a 4096-aligned buffer of 4 written-to base pages (MADV_NOHUGEPAGE)",
	     is_write ? "pwrite" : "pread");
	munmap(buf, 4 * PG);
}

static void sc_odirect_thp(int is_write)
{
	int st = add_step(is_write ? "write" : "read"), r;
	char *buf;

	setup_file();
	buf = map_thp();
	for (r = 0; r < g_repeat; r++) {
		step_begin();
		dio(is_write, buf, HPAGE, 0, "one 2 MiB THP");
		step_end(st, r);
	}
	check_thp_still(buf);
	note("%s of 2097152 bytes in one syscall from/to one 2 MiB-aligned THP",
	     is_write ? "pwrite" : "pread");
	munmap(buf, HPAGE);
}

static void sc_odirect_write_zero(void)
{
	int st = add_step("write"), r, zero_reps = 0, unknown = 0;
	uint64_t pfn = 0;

	setup_file();
	for (r = 0; r < g_repeat; r++) {
		char *buf = map_base(4, 2); /* read-faulted: maps the shared zero page */
		int z = all_same_pfn(buf, 4, &pfn);

		if (z == 1)
			zero_reps++;
		else if (z < 0)
			unknown++;
		else /* pagemap says 4 PFNs: the scenario's premise does not hold here */
			skip("the read-faulted buffer's 4 PTEs do not map one PFN (the shared zero page): this kernel gave the read faults pages of their own (first PFN 0x%llx), so an O_DIRECT write from it pins ordinary pages",
			     (unsigned long long)pfn);
		step_begin();
		dio(1, buf, 4 * PG, 0, "4 zero-page-backed pages");
		step_end(st, r);
		munmap(buf, 4 * PG);
	}
	note("buffer was only read before the O_DIRECT write, so its PTEs map the shared zero page; pagemap showed all 4 pages on one PFN (0x%llx) in %d/%d reps%s",
	     (unsigned long long)pfn, zero_reps, g_repeat, unknown ? " (PFNs hidden: not root)" : "");
}

static void sc_odirect_read_hole(void)
{
	int st = add_step("read"), r;
	char *buf;

	setup_file();
	buf = map_base(4, 1);
	for (r = 0; r < g_repeat; r++) {
		step_begin();
		dio(0, buf, 4 * PG, (off_t)HOLE_OFFSET, "4 pages from a hole");
		step_end(st, r);
	}
	note("pread of 16384 bytes at offset %lu, inside a hole of the sparse file (iomap IOMAP_HOLE)",
	     (unsigned long)HOLE_OFFSET);
	munmap(buf, 4 * PG);
}

static void sc_iouring(char *buf, size_t off, size_t len, int fresh_zero)
{
	int reg = add_step("register"), unreg = add_step("unregister");
	int ring = ring_setup(), r, zero_before = 0, distinct_after = 0;
	uint64_t pfn = 0;

	for (r = 0; r < g_repeat; r++) {
		char *b = buf;

		if (fresh_zero) {
			b = map_base(4, 2);
			if (all_same_pfn(b, 4, &pfn) == 1)
				zero_before++;
		}
		step_begin();
		register_buf(ring, b + off, len);
		step_end(reg, r);
		if (fresh_zero && all_same_pfn(b, 4, &pfn) == 0)
			distinct_after++;
		step_begin();
		unregister_buf(ring);
		step_end(unreg, r);
		if (fresh_zero)
			munmap(b, 4 * PG);
	}
	close(ring);
	note("IORING_REGISTER_BUFFERS of one iovec {base+%zu, %zu bytes}, then IORING_UNREGISTER_BUFFERS, on one ring (raw syscalls)",
	     off, len);
	if (fresh_zero)
		note("zero page: before register all 4 PTEs mapped one PFN in %d/%d reps; after register (FOLL_WRITE) they mapped 4 distinct pages in %d/%d reps",
		     zero_before, g_repeat, distinct_after, g_repeat);
}

struct scenario {
	const char *id;
	const char *what;
};

static const struct scenario k_scenarios[] = {
	{ "odirect-read-base", "O_DIRECT read of 4 base pages" },
	{ "odirect-write-base", "O_DIRECT write of 4 base pages" },
	{ "odirect-read-thp", "O_DIRECT read of 2 MiB into one THP" },
	{ "odirect-write-thp", "O_DIRECT write of 2 MiB from one THP" },
	{ "odirect-write-zero", "O_DIRECT write from 4 pages that map the zero page" },
	{ "odirect-read-hole", "O_DIRECT read of 4 pages from a file hole" },
	{ "iouring-fixed-base", "io_uring register/unregister of 4 base pages" },
	{ "iouring-fixed-thp", "io_uring register/unregister of one 2 MiB THP" },
	{ "iouring-fixed-thp-sub", "io_uring register/unregister of 16 pages inside a THP at +4 KiB" },
	{ "iouring-fixed-zero", "io_uring register/unregister of 4 zero-page-backed pages" },
};

static void usage(const char *msg)
{
	size_t i;

	if (msg)
		fprintf(stderr, "pinprobe: %s\n", msg);
	fprintf(stderr, "usage: pinprobe <scenario> [--repeat N] [--no-refresh]\n       pinprobe --list\nscenarios:\n");
	for (i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++)
		fprintf(stderr, "  %-22s %s\n", k_scenarios[i].id, k_scenarios[i].what);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *sc = NULL;
	struct utsname u;
	size_t i;
	int a, known = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--list")) {
			for (i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++)
				printf("%s\n", k_scenarios[i].id);
			return 0;
		} else if (!strcmp(argv[a], "--repeat")) {
			char *end;
			long v;

			if (a + 1 >= argc)
				usage("--repeat needs a value");
			errno = 0;
			v = strtol(argv[++a], &end, 10);
			if (errno || *end || end == argv[a] || v < 1 || v > MAX_REPEAT)
				usage("--repeat must be an integer in 1..1000");
			g_repeat = (int)v;
		} else if (!strcmp(argv[a], "--no-refresh")) {
			g_use_refresh = 0;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(NULL);
		} else if (argv[a][0] == '-') {
			usage("unknown option");
		} else if (sc) {
			usage("only one scenario per run");
		} else {
			sc = argv[a];
		}
	}
	if (!sc)
		usage("missing scenario");
	for (i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++)
		if (!strcmp(sc, k_scenarios[i].id))
			known = 1;
	if (!known)
		usage("unknown scenario");
	g_scenario = sc;

	/* Probe the counters first (skips cleanly without them). */
	(void)read_counters();
	if (uname(&u) == 0)
		note("kernel %s %s", u.release, u.machine);

	if (!strcmp(sc, "odirect-read-base"))
		sc_odirect_base(0);
	else if (!strcmp(sc, "odirect-write-base"))
		sc_odirect_base(1);
	else if (!strcmp(sc, "odirect-read-thp"))
		sc_odirect_thp(0);
	else if (!strcmp(sc, "odirect-write-thp"))
		sc_odirect_thp(1);
	else if (!strcmp(sc, "odirect-write-zero"))
		sc_odirect_write_zero();
	else if (!strcmp(sc, "odirect-read-hole"))
		sc_odirect_read_hole();
	else if (!strcmp(sc, "iouring-fixed-base")) {
		char *b = map_base(4, 1);

		sc_iouring(b, 0, 4 * PG, 0);
		munmap(b, 4 * PG);
	} else if (!strcmp(sc, "iouring-fixed-thp")) {
		char *b = map_thp();

		sc_iouring(b, 0, HPAGE, 0);
		check_thp_still(b);
		munmap(b, HPAGE);
	} else if (!strcmp(sc, "iouring-fixed-thp-sub")) {
		char *b = map_thp();

		sc_iouring(b, PG, 16 * PG, 0);
		check_thp_still(b);
		munmap(b, HPAGE);
	} else if (!strcmp(sc, "iouring-fixed-zero")) {
		sc_iouring(NULL, 0, 4 * PG, 1);
	}

	if (g_file_fd >= 0)
		close(g_file_fd);
	if (!g_use_refresh)
		note("--no-refresh: /proc/sys/vm/stat_refresh NOT written; per-CPU vmstat batching may hide or delay deltas");
	else
		note("counters folded with /proc/sys/vm/stat_refresh before every read");
	note_lag();
	print_result();
	return 0;
}
