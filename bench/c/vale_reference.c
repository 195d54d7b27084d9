/*
 * The C reference for the VALE benchmark: the learning switch NetmapPS's emulated VALE runs, in C.
 * A producer thread fills 60-byte frames into the TX ring of port 0 and runs txsync: a first pass
 * learns each frame's source MAC for port 0 and looks its destination up in a 1024-bucket table; a
 * second gives each destination port its frames in one batch, copied into its RX ring under the
 * ring's producer lock (a CAS word) and published with one store of hwtail, or dropped when the
 * ring is full. The frames go round-robin to ports 1..PORTS-1, whose MACs were
 * learned before the clock starts; the producer runs txsync every 64 frames. A consumer thread drains the RX rings of ports 1..PORTS-1 (rxsync:
 * hwtail read with acquire ordering, released with hwcur). The producer keeps at most WINDOW frames
 * per receiving port in flight (sent, not yet counted), so that what is measured is switching, not
 * dropping: a switch drops only what a full ring cannot take. Written for this project from the netmap
 * ABI facts (slot: buf_idx u32, len u16, flags u16, ptr u64).
 *
 * Usage: vale_reference PACKETS PORTS  ->  prints "delivered seconds pps dropped"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define SLOTS 1024
#define BUFSZ 2048
#define MAXPORTS 8
#define TABLE 1024
#define WINDOW 512

struct slot { uint32_t buf_idx; uint16_t len; uint16_t flags; uint64_t ptr; };
struct ring {
	_Alignas(64) uint32_t head, cur, tail;
	_Alignas(64) _Atomic uint32_t hwcur;
	_Atomic uint32_t hwtail;
	_Atomic int lock;
	_Alignas(64) struct slot slot[SLOTS];
};

static struct ring *tx, *rx[MAXPORTS];
static uint8_t *buffers;
static _Atomic uint64_t table[TABLE];
static long packets;
static int ports;
static _Atomic long dropped;
static _Atomic long counted; /* frames the consumer took so far */

static inline uint32_t next(uint32_t i) { return i + 1 == SLOTS ? 0 : i + 1; }
static inline uint32_t dist(uint32_t a, uint32_t b) { return b >= a ? b - a : b + SLOTS - a; }
static inline uint64_t mac_at(const uint8_t *p) { return ((uint64_t)p[0] << 40) | ((uint64_t)p[1] << 32) | ((uint64_t)p[2] << 24) | ((uint64_t)p[3] << 16) | ((uint64_t)p[4] << 8) | p[5]; }
static inline int bucket(uint64_t mac) { return (int)((mac * 0x9E3779B97F4A7C15ULL) >> (64 - 10)); }

static void learn(uint64_t mac, int port)
{
	uint64_t entry = (mac << 16) | (uint64_t)(port + 1);
	if (atomic_load_explicit(&table[bucket(mac)], memory_order_relaxed) != entry)
		atomic_store_explicit(&table[bucket(mac)], entry, memory_order_relaxed);
}

static int lookup(uint64_t mac)
{
	uint64_t entry = atomic_load_explicit(&table[bucket(mac)], memory_order_relaxed);
	return entry >> 16 == mac ? (int)(entry & 0xffff) - 1 : -1;
}

static int dest_of[SLOTS];

/* txsync in two passes, as netmap's VALE: learn and look up each frame, then give each destination
 * port its frames in one batch (one take of its ring's lock, one publication of hwtail); frames
 * that find the ring full are dropped and counted. */
static void txsync(void)
{
	uint32_t cur = atomic_load_explicit(&tx->hwcur, memory_order_relaxed), head = tx->head;
	uint32_t targets = 0;
	for (uint32_t i = cur; i != head; i = next(i)) {
		const uint8_t *frame = buffers + (size_t)tx->slot[i].buf_idx * BUFSZ;
		if (!(frame[6] & 1)) learn(mac_at(frame + 6), 0);
		int d = (frame[0] & 1) ? -1 : lookup(mac_at(frame));
		dest_of[i] = d == 0 ? -2 : d;
		if (d > 0) targets |= 1u << d;
		else if (d < 0) targets |= ((1u << ports) - 1) & ~1u;
	}
	for (int p = 1; p < ports; p++) {
		if (!(targets & (1u << p))) continue;
		struct ring *r = rx[p];
		int free_ = 0;
		while (!atomic_compare_exchange_weak(&r->lock, &free_, 1)) free_ = 0;
		uint32_t t = atomic_load_explicit(&r->hwtail, memory_order_relaxed);
		uint32_t c = atomic_load_explicit(&r->hwcur, memory_order_acquire);
		uint32_t room = dist(t, c == 0 ? SLOTS - 1 : c - 1);
		for (uint32_t i = cur; i != head; i = next(i)) {
			if (dest_of[i] != p && dest_of[i] != -1) continue;
			if (room == 0) { atomic_fetch_add(&dropped, 1); continue; }
			struct slot *s = &r->slot[t];
			memcpy(buffers + (size_t)s->buf_idx * BUFSZ, buffers + (size_t)tx->slot[i].buf_idx * BUFSZ, tx->slot[i].len);
			s->len = tx->slot[i].len; s->flags = 0;
			t = next(t);
			room--;
		}
		atomic_store_explicit(&r->hwtail, t, memory_order_release);
		atomic_store_explicit(&r->lock, 0, memory_order_release);
	}
	atomic_store_explicit(&tx->hwcur, head, memory_order_relaxed);
	tx->tail = head == 0 ? SLOTS - 1 : head - 1;
}

static void *producer(void *arg)
{
	(void)arg;
	uint8_t frame[MAXPORTS][60];
	for (int p = 1; p < ports; p++) {
		memset(frame[p], 0, 60);
		frame[p][0] = 0x02; frame[p][5] = (uint8_t)p;    /* to port p's MAC */
		frame[p][6] = 0x02; frame[p][11] = 0xaa;        /* from port 0's MAC */
		frame[p][12] = 0x88; frame[p][13] = 0xb5;
	}
	for (long sent = 0; sent < packets;) {
		while (sent - atomic_load_explicit(&counted, memory_order_relaxed) - atomic_load_explicit(&dropped, memory_order_relaxed) > (long)WINDOW * (ports - 1))
			sched_yield();
		for (int k = 0; k < 64 && tx->head != tx->tail && sent < packets; k++) { /* a txsync every 64 frames */
			struct slot *s = &tx->slot[tx->head];
			memcpy(buffers + (size_t)s->buf_idx * BUFSZ, frame[1 + sent % (ports - 1)], 60);
			s->len = 60;
			tx->head = tx->cur = next(tx->head);
			sent++;
		}
		txsync();
	}
	return NULL;
}

static long delivered;
static _Atomic int producing = 1;

static void *consumer(void *arg)
{
	(void)arg;
	long got = 0;
	for (;;) {
		long before = got;
		for (int p = 1; p < ports; p++) {
			struct ring *r = rx[p];
			if (atomic_load_explicit(&r->hwcur, memory_order_relaxed) != r->head)
				atomic_store_explicit(&r->hwcur, r->head, memory_order_release);
			r->tail = atomic_load_explicit(&r->hwtail, memory_order_acquire);
			for (; r->head != r->tail; r->head = next(r->head)) got++;
			r->cur = r->head;
		}
		atomic_store_explicit(&counted, got, memory_order_relaxed);
		if (got == before) {
			if (!atomic_load(&producing) && got + atomic_load(&dropped) >= packets) break;
			sched_yield();
		}
	}
	delivered = got;
	return NULL;
}

int main(int argc, char **argv)
{
	packets = argc > 1 ? atol(argv[1]) : 10000000;
	ports = argc > 2 ? atoi(argv[2]) : 2;
	if (ports < 2 || ports > MAXPORTS) { fprintf(stderr, "PORTS: 2 to %d\n", MAXPORTS); return 2; }
	size_t size = (size_t)(ports + 1) * sizeof(struct ring) + (size_t)((ports + 1) * SLOTS + 2) * BUFSZ;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) { perror("mmap"); return 1; }
	tx = (struct ring *)mem;
	for (int p = 0; p < ports; p++) rx[p] = tx + 1 + p;
	buffers = (uint8_t *)(tx + 1 + ports);
	uint32_t b = 2;
	for (uint32_t i = 0; i < SLOTS; i++) tx->slot[i].buf_idx = b++;
	for (int p = 0; p < ports; p++) for (uint32_t i = 0; i < SLOTS; i++) rx[p]->slot[i].buf_idx = b++;
	tx->tail = SLOTS - 1;
	for (int p = 1; p < ports; p++) { uint8_t m[6] = { 0x02, 0, 0, 0, 0, (uint8_t)p }; learn(mac_at(m), p); }
	struct timespec a, e;
	pthread_t pt, ct;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pthread_create(&ct, NULL, consumer, NULL);
	pthread_create(&pt, NULL, producer, NULL);
	pthread_join(pt, NULL);
	atomic_store(&producing, 0);
	pthread_join(ct, NULL);
	clock_gettime(CLOCK_MONOTONIC, &e);
	double s = (e.tv_sec - a.tv_sec) + (e.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld %.6f %.0f %ld\n", delivered, s, delivered / s, (long)atomic_load(&dropped));
	return 0;
}
