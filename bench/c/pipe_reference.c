/*
 * The C reference for the pipe benchmark: the same work NetmapPS's emulated pipe does, in C.
 * A producer thread fills 60-byte frames into the TX ring of a netmap_ring/netmap_slot layout in
 * shared memory and runs txsync (buffer indices swapped into the peer's RX ring, hwtail published
 * with release ordering); a consumer thread runs rxsync (hwtail read with acquire ordering, tail
 * published), counts the frames and releases them (hwcur). Written for this project from the netmap
 * ABI facts (slot: buf_idx u32, len u16, flags u16, ptr u64).
 *
 * Usage: pipe_reference PACKETS  ->  prints "packets seconds pps"
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>

#define SLOTS 1024
#define BUFSZ 2048

struct slot { uint32_t buf_idx; uint16_t len; uint16_t flags; uint64_t ptr; };
/* The user-visible ring header and the "kernel" state (hwcur, hwtail) on cache lines of their own,
 * as in netmap (netmap_ring vs. the kernel's kring) and in NetmapPS's region layout. */
struct ring {
	_Alignas(64) uint32_t head, cur, tail;
	_Alignas(64) _Atomic uint32_t hwcur;
	_Alignas(64) _Atomic uint32_t hwtail;
	_Alignas(64) struct slot slot[SLOTS];
};

static struct ring *tx, *rx;
static uint8_t *buffers;
static long packets;

static inline uint32_t next(uint32_t i) { return i + 1 == SLOTS ? 0 : i + 1; }
static inline uint32_t dist(uint32_t a, uint32_t b) { return b >= a ? b - a : b + SLOTS - a; }

/* txsync: move [hwcur, head) of tx into rx at rx->hwtail, as far as rx has room. */
static void txsync(void)
{
	uint32_t cur = atomic_load_explicit(&tx->hwcur, memory_order_relaxed);
	uint32_t rtail = atomic_load_explicit(&rx->hwtail, memory_order_relaxed);
	uint32_t rcur = atomic_load_explicit(&rx->hwcur, memory_order_acquire);
	uint32_t room = dist(rtail, rcur == 0 ? SLOTS - 1 : rcur - 1), n = dist(cur, tx->head);
	if (n > room) n = room;
	for (uint32_t i = 0; i < n; i++) {
		struct slot *ts = &tx->slot[cur], *rs = &rx->slot[rtail];
		uint32_t b = rs->buf_idx; rs->buf_idx = ts->buf_idx; ts->buf_idx = b;
		rs->len = ts->len; rs->flags = ts->flags = 1;
		cur = next(cur); rtail = next(rtail);
	}
	atomic_store_explicit(&rx->hwtail, rtail, memory_order_release);
	atomic_store_explicit(&tx->hwcur, cur, memory_order_relaxed);
	tx->tail = cur == 0 ? SLOTS - 1 : cur - 1;
}

static void *producer(void *arg)
{
	(void)arg;
	uint8_t frame[60];
	memset(frame, 0xab, sizeof frame);
	for (long sent = 0; sent < packets;) {
		while (tx->head != tx->tail && sent < packets) {
			struct slot *s = &tx->slot[tx->head];
			memcpy(buffers + (size_t)s->buf_idx * BUFSZ, frame, sizeof frame);
			s->len = sizeof frame;
			tx->head = tx->cur = next(tx->head);
			sent++;
		}
		txsync();
		if (tx->head == tx->tail) sched_yield(); /* ring full: let the consumer run, as NetmapPS waits */
	}
	while (dist(atomic_load(&tx->hwcur), tx->head)) { txsync(); sched_yield(); }
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	long got = 0, bytes = 0;
	while (got < packets) {
		if (atomic_load_explicit(&rx->hwcur, memory_order_relaxed) != rx->head)
			atomic_store_explicit(&rx->hwcur, rx->head, memory_order_release); /* rxsync: release */
		rx->tail = atomic_load_explicit(&rx->hwtail, memory_order_acquire);   /* and publish */
		if (rx->head == rx->tail) { sched_yield(); continue; } /* nothing yet: let the producer run */
		for (; rx->head != rx->tail; rx->head = next(rx->head), got++) bytes += rx->slot[rx->head].len;
		rx->cur = rx->head;
	}
	return (void *)bytes;
}

int main(int argc, char **argv)
{
	packets = argc > 1 ? atol(argv[1]) : 10000000;
	size_t size = 2 * sizeof(struct ring) + (size_t)(2 * SLOTS + 2) * BUFSZ;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) { perror("mmap"); return 1; }
	tx = (struct ring *)mem; rx = tx + 1; buffers = (uint8_t *)(rx + 1);
	for (uint32_t i = 0; i < SLOTS; i++) { tx->slot[i].buf_idx = 2 + i; rx->slot[i].buf_idx = 2 + SLOTS + i; }
	tx->tail = SLOTS - 1;
	struct timespec a, b;
	pthread_t p, c;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld %.6f %.0f\n", packets, s, packets / s);
	return 0;
}
