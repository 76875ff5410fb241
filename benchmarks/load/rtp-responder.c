/*
 * rtp-responder: the voices of many load-test phones from one UDP socket per side, batched.
 *
 * For agent-calls.sh with SIPP_RTP=responder: sipp keeps the signalling, and every caller (or every agent phone)
 * advertises this one port in its SDP. Each distinct source that sends RTP here is a call's leg of the contact
 * center; the responder answers it with a 20 ms PCMU tone (a 12-byte header and 160 bytes), 50 packets a second, to
 * that source (symmetric RTP), until an RTCP BYE for it arrives on the port above (PORT + 1, also bound) or the source
 * has been silent for 1 s. A leg served late (the responder starved of CPU) gets its overdue frames at once, as a late
 * burst, up to 200 ms of them; older ones are counted as not sent, and the counts printed at the end say how late
 * the responder was. Sends go out with sendmmsg and receives come in with recvmmsg, up to 512 packets a system call,
 * so the generator costs a fraction of sipp's rtp_stream (one sendto per packet from one thread per 50 calls). The
 * live legs are kept dense, so a pass every 2 ms touches only them (its CPU at 1,000 calls at once stayed 25-30 % of
 * a core either way: the packets are its cost).
 *
 *   rtp-responder PORT [PORT...]   (127.0.0.1; runs until SIGTERM or SIGINT, then prints its counts)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 4
#define MAX_LEGS 32768
#define TABLE_SIZE 65536 /* twice MAX_LEGS: the index stays sparse */
#define BATCH 512
#define PACKET 172
#define SILENT_MS 1000

struct stream {
    int sock;
    struct sockaddr_in peer;
    uint32_t ssrc, ts;
    uint16_t seq;
    int64_t next_send, last_heard;
    int tone_at;
};

/* The live legs, dense (a pass touches only them), and an open-addressing index from (socket, source) to a leg:
 * slot value leg + 1, 0 for empty. */
static struct stream legs[MAX_LEGS];
static int leg_count, leg_peak;
static int table[TABLE_SIZE];
static uint8_t tone[8000];
static volatile sig_atomic_t stopping;
static long long sent, received, send_errors, ended_by_bye, refused, late_dropped;
static int64_t worst_gap;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint8_t mulaw(int sample)
{
    const int bias = 0x84, clip = 32635;
    int sign = (sample >> 8) & 0x80;
    if (sign) sample = -sample;
    if (sample > clip) sample = clip;
    sample += bias;
    int exponent = 7;
    for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
    int mantissa = (sample >> (exponent + 3)) & 0x0F;
    return (uint8_t)~(sign | (exponent << 4) | mantissa);
}

static void on_signal(int s) { (void)s; stopping = 1; }

static unsigned hash(const struct sockaddr_in *a, int sock)
{
    return ((a->sin_addr.s_addr * 2654435761u) ^ (a->sin_port * 40503u) ^ (unsigned)sock) % TABLE_SIZE;
}

static int same(const struct stream *s, const struct sockaddr_in *a, int sock)
{
    return s->sock == sock && s->peer.sin_addr.s_addr == a->sin_addr.s_addr && s->peer.sin_port == a->sin_port;
}

/* The index slot of (sock, source): the one holding its leg, or the empty one where it would go. */
static unsigned slot_of(const struct sockaddr_in *a, int sock)
{
    unsigned h = hash(a, sock);
    while (table[h] && !same(&legs[table[h] - 1], a, sock)) h = (h + 1) % TABLE_SIZE;
    return h;
}

/* The leg for a source, added (with a random SSRC, sequence, timestamp and phase) when it is new; NULL when full. */
static struct stream *find(const struct sockaddr_in *from, int sock, int64_t now)
{
    unsigned h = slot_of(from, sock);
    if (table[h]) return &legs[table[h] - 1];
    if (leg_count == MAX_LEGS) { refused++; return NULL; }
    struct stream *s = &legs[leg_count];
    s->sock = sock;
    s->peer = *from;
    s->ssrc = (uint32_t)random();
    s->seq = (uint16_t)random();
    s->ts = (uint32_t)random();
    s->next_send = now + (random() % 20);
    s->tone_at = (int)(random() % 50) * 160;
    table[h] = ++leg_count;
    if (leg_count > leg_peak) leg_peak = leg_count;
    return s;
}

/* Ends leg i: its index slot is emptied (the cluster after it re-placed), and the last leg moves into its place. */
static void remove_leg(int i)
{
    unsigned h = slot_of(&legs[i].peer, legs[i].sock);
    table[h] = 0;
    for (unsigned j = (h + 1) % TABLE_SIZE; table[j]; j = (j + 1) % TABLE_SIZE) {
        int leg = table[j];
        table[j] = 0;
        table[slot_of(&legs[leg - 1].peer, legs[leg - 1].sock)] = leg;
    }
    int last = --leg_count;
    if (i != last) {
        legs[i] = legs[last];
        table[slot_of(&legs[i].peer, legs[i].sock)] = i + 1;
    }
}

static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];
static uint8_t buffers[BATCH][PACKET];
static uint8_t incoming[BATCH][2048];
static struct sockaddr_in froms[BATCH];

/* Reads what waits on fd, up to BATCH datagrams, into incoming[] with their sources in froms[]. */
static int receive(int fd)
{
    for (int i = 0; i < BATCH; i++) {
        iovs[i].iov_base = incoming[i];
        iovs[i].iov_len = sizeof incoming[i];
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &froms[i];
        msgs[i].msg_hdr.msg_namelen = sizeof froms[i];
    }
    return recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_SOCKETS) {
        fprintf(stderr, "usage: rtp-responder PORT [PORT...] (at most %d)\n", MAX_SOCKETS);
        return 2;
    }

    for (int i = 0; i < 8000; i++) tone[i] = mulaw((int)(6000 * sin(2 * M_PI * 425 * i / 8000.0)));

    int socks[MAX_SOCKETS], rtcp[MAX_SOCKETS], nsocks = argc - 1;
    for (int i = 0; i < 2 * nsocks; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int size = 16 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons((uint16_t)(atoi(argv[i / 2 + 1]) + i % 2));
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            fprintf(stderr, "rtp-responder: cannot bind 127.0.0.1:%d: %s\n", ntohs(a.sin_port), strerror(errno));
            return 1;
        }
        if (i % 2 == 0) socks[i / 2] = fd; else rtcp[i / 2] = fd;
    }

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    fprintf(stderr, "rtp-responder: listening on %d port(s)\n", nsocks);

    int64_t last_pass = now_ms();
    while (!stopping) {
        int64_t now = now_ms();
        if (now - last_pass > worst_gap) worst_gap = now - last_pass;
        last_pass = now;

        /* What the contact center sent: each source is a call leg to answer. */
        for (int k = 0; k < nsocks; k++) {
            for (;;) {
                int n = receive(socks[k]);
                if (n <= 0) break;
                received += n;
                for (int i = 0; i < n; i++) {
                    if (msgs[i].msg_len < 12 || (incoming[i][0] & 0xC0) != 0x80 || (incoming[i][1] & 0x7F) >= 72) continue; /* RTP only, not RTCP */
                    struct stream *s = find(&froms[i], socks[k], now);
                    if (s) s->last_heard = now;
                }
                if (n < BATCH) break;
            }
        }

        /* RTCP from the contact center: a BYE ends the leg whose RTP port is the report's source port less one. */
        for (int k = 0; k < nsocks; k++) {
            for (;;) {
                int n = receive(rtcp[k]);
                if (n <= 0) break;
                for (int i = 0; i < n; i++) {
                    /* A compound packet: walk its reports for a BYE (packet type 203). */
                    int bye = 0;
                    for (unsigned at = 0; at + 4 <= msgs[i].msg_len && !bye;) {
                        bye = incoming[i][at + 1] == 203;
                        at += 4 * (((unsigned)incoming[i][at + 2] << 8 | incoming[i][at + 3]) + 1);
                    }
                    if (!bye) continue;
                    struct sockaddr_in rtp_source = froms[i];
                    rtp_source.sin_port = htons((uint16_t)(ntohs(froms[i].sin_port) - 1));
                    unsigned h = slot_of(&rtp_source, socks[k]);
                    if (table[h]) {
                        remove_leg(table[h] - 1);
                        ended_by_bye++;
                    }
                }
                if (n < BATCH) break;
            }
        }

        /* Every leg due a packet gets one; a leg silent for 1 s has ended. */
        for (int k = 0; k < nsocks; k++) {
            int batch = 0;
            for (int i = 0; i < leg_count; i++) {
                struct stream *s = &legs[i];
                if (s->sock != socks[k]) continue;
                if (now - s->last_heard > SILENT_MS) {
                    remove_leg(i);
                    i--; /* the place now holds the leg that was last */
                    continue;
                }
                if (s->next_send > now) continue;
                if (now - s->next_send > 200) { /* over 200 ms behind: those frames are not sent */
                    late_dropped += (now - s->next_send) / 20;
                    s->next_send = now;
                }
                /* Every frame due goes now: after a stall the overdue ones leave at once, as a late burst. */
                do {
                    s->next_send += 20;
                    uint8_t *p = buffers[batch];
                    p[0] = 0x80;
                    p[1] = 0;
                    p[2] = (uint8_t)(s->seq >> 8); p[3] = (uint8_t)s->seq;
                    p[4] = (uint8_t)(s->ts >> 24); p[5] = (uint8_t)(s->ts >> 16); p[6] = (uint8_t)(s->ts >> 8); p[7] = (uint8_t)s->ts;
                    p[8] = (uint8_t)(s->ssrc >> 24); p[9] = (uint8_t)(s->ssrc >> 16); p[10] = (uint8_t)(s->ssrc >> 8); p[11] = (uint8_t)s->ssrc;
                    memcpy(p + 12, tone + s->tone_at, 160);
                    s->tone_at = (s->tone_at + 160) % 8000;
                    s->seq++;
                    s->ts += 160;
                    iovs[batch].iov_base = p;
                    iovs[batch].iov_len = PACKET;
                    memset(&msgs[batch].msg_hdr, 0, sizeof msgs[batch].msg_hdr);
                    msgs[batch].msg_hdr.msg_iov = &iovs[batch];
                    msgs[batch].msg_hdr.msg_iovlen = 1;
                    msgs[batch].msg_hdr.msg_name = &s->peer;
                    msgs[batch].msg_hdr.msg_namelen = sizeof s->peer;
                    if (++batch == BATCH) {
                        int done = sendmmsg(socks[k], msgs, batch, 0);
                        if (done > 0) sent += done; else send_errors += batch;
                        batch = 0;
                    }
                } while (s->next_send <= now);
            }
            if (batch > 0) {
                int done = sendmmsg(socks[k], msgs, batch, 0);
                if (done > 0) sent += done; else send_errors += batch;
            }
        }

        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }

    printf("rtp-responder: sent %lld, received %lld, send errors %lld, peak legs %d, legs ended by RTCP BYE %lld, legs refused (table full) %lld; frames not sent for lateness (over 200 ms behind) %lld, longest time between passes %lld ms (2 ms when never held up)\n",
           sent, received, send_errors, leg_peak, ended_by_bye, refused, late_dropped, (long long)worst_gap);
    return 0;
}
