// The verbs of the protocol (requests.c) and the reply builder they use (protocol.c).
#ifndef SWIFTLET_KEEPER_REQUESTS_H
#define SWIFTLET_KEEPER_REQUESTS_H

#include "keeper.h"

// Acts on one request. `fds` it keeps are set to -1; the caller closes the rest.
void request(struct keeper *k, struct conn *c, char **f, size_t nf, int *fds, size_t nfds);

void reply_begin(void);
int reply_fits(size_t bytes);
void reply_add(const char *s);
void reply_addf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int reply_send(struct keeper *k, struct conn *c);
void reply_error(struct keeper *k, struct conn *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
