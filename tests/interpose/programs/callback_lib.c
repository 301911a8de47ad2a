/* tests/interpose/programs/callback_lib.c — a shared library with a lock of
 * its own that calls back into the application while holding it, and a
 * constructor that locks a mutex while the library is being loaded (before
 * the application's main, possibly before the interposer is ready). */
#include <pthread.h>

#include "tests/interpose/programs/callback_lib.h"

static pthread_mutex_t lib_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lib_init_mu = PTHREAD_MUTEX_INITIALIZER;
static int lib_ready;

__attribute__((constructor)) static void LibInit(void) {
  pthread_mutex_lock(&lib_init_mu);
  lib_ready = 1;
  pthread_mutex_unlock(&lib_init_mu);
}

int callback_lib_ready(void) {
  pthread_mutex_lock(&lib_init_mu);
  const int ready = lib_ready;
  pthread_mutex_unlock(&lib_init_mu);
  return ready;
}

void callback_lib_visit(void (*visit)(void*), void* arg) {
  pthread_mutex_lock(&lib_mu);
  visit(arg);
  pthread_mutex_unlock(&lib_mu);
}

void callback_lib_touch(void) {
  pthread_mutex_lock(&lib_mu);
  pthread_mutex_unlock(&lib_mu);
}
