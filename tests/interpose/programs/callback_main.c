/* tests/interpose/programs/callback_main.c — an application whose callback,
 * run by callback_lib under the library's lock, takes the application's
 * lock (lib_mu -> app_mu), while the application elsewhere calls into the
 * library holding its own lock (app_mu -> lib_mu): a cycle through a shared
 * library.
 *
 * Usage: callback_main cycle | ctor_only */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tests/interpose/programs/callback_lib.h"

pthread_mutex_t app_mu = PTHREAD_MUTEX_INITIALIZER;

static void Visit(void* arg) {
  int* visits = arg;
  pthread_mutex_lock(&app_mu);
  ++*visits;
  pthread_mutex_unlock(&app_mu);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (!callback_lib_ready()) {
    fprintf(stderr, "callback_main: the library's constructor did not run\n");
    return 1;
  }
  if (strcmp(mode, "ctor_only") == 0) {
    puts("library ready");
    return 0;
  }
  if (strcmp(mode, "cycle") != 0) {
    fprintf(stderr, "callback_main: unknown mode '%s'\n", mode);
    return 2;
  }
  int visits = 0;
  callback_lib_visit(Visit, &visits);
  pthread_mutex_lock(&app_mu);
  callback_lib_touch();
  pthread_mutex_unlock(&app_mu);
  printf("visits %d\n", visits);
  return 0;
}
