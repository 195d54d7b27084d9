/*
 * The flood sender of the capture benchmark: UDP frames of one size (source port 9999, destination
 * port 9, a big-endian sequence number at the start of the payload) sent as fast as sendmmsg takes
 * them on an AF_PACKET raw socket bound to one interface. Bounded both ways: it stops after COUNT
 * frames or SECONDS seconds, whichever comes first. Meant to run inside a lab network namespace.
 *
 * Usage: flood IFNAME DSTMAC SRCIP DSTIP COUNT SECONDS SIZE  ->  prints "sent seconds"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static uint16_t checksum(const uint8_t *p, int n)
{
	uint32_t sum = 0;
	for (int i = 0; i < n; i += 2) sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
	if (argc != 8) { fprintf(stderr, "usage: flood IFNAME DSTMAC SRCIP DSTIP COUNT SECONDS SIZE\n"); return 2; }
	long count = atol(argv[5]);
	double seconds = atof(argv[6]);
	int size = atoi(argv[7]);
	if (size < 46 || size > 1514) { fprintf(stderr, "flood: SIZE must be 46 to 1514\n"); return 2; }

	int fd = socket(AF_PACKET, SOCK_RAW, 0);   /* protocol 0: send only, receive nothing */
	if (fd < 0) { perror("flood: socket"); return 1; }
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(argv[1]) };
	if (!ll.sll_ifindex || bind(fd, (struct sockaddr *)&ll, sizeof ll)) { perror("flood: bind"); return 1; }

	uint8_t frames[BATCH][1514] = { 0 }, *f = frames[0];
	unsigned m[6];
	if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) { fprintf(stderr, "flood: bad MAC\n"); return 2; }
	for (int i = 0; i < 6; i++) f[i] = (uint8_t)m[i];
	f[6] = 0x02; f[11] = 0x01;                          /* source MAC 02:00:00:00:00:01 */
	f[12] = 0x08; f[13] = 0x00;                         /* IPv4 */
	uint8_t *ip = f + 14, *udp = f + 34;
	ip[0] = 0x45; ip[8] = 64; ip[9] = 17;
	*(uint16_t *)(ip + 2) = htons(size - 14);
	inet_pton(AF_INET, argv[3], ip + 12);
	inet_pton(AF_INET, argv[4], ip + 16);
	*(uint16_t *)(ip + 10) = htons(checksum(ip, 20));
	*(uint16_t *)(udp + 0) = htons(9999);
	*(uint16_t *)(udp + 2) = htons(9);
	*(uint16_t *)(udp + 4) = htons(size - 34);          /* UDP checksum 0: none */
	for (int i = 1; i < BATCH; i++) memcpy(frames[i], f, size);

	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ frames[i], size };
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	long sent = 0;
	double start = now(), end = start + seconds;
	while (sent < count && now() < end) {
		int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
		for (int i = 0; i < n; i++) *(uint32_t *)(frames[i] + 42) = htonl((uint32_t)(sent + i));
		int r = sendmmsg(fd, msgs, n, 0);
		if (r > 0) sent += r;
		else if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) { perror("flood: sendmmsg"); return 1; }
	}
	printf("%ld %.3f\n", sent, now() - start);
	close(fd);
	return 0;
}
