/* tests/interpose/programs/lock_patterns_c.c — lock-order patterns in plain
 * C (pthread mutexes and rwlocks, C11 mtx_t; no lockscope include), run
 * through `lockscope run` by tests/interpose/patterns_test.cc.
 *
 * Usage: lock_patterns_c PATTERN
 *   trylock_into     holds first_mu, try-locks second_mu (succeeds); later
 *                    second_mu -> first_mu. The trylock formed no edge, so
 *                    nothing to report.
 *   trylock_from     try-locks first_mu (succeeds), then locks second_mu
 *                    under it; later second_mu -> first_mu: a cycle.
 *   rw_write_read    write-locks config_rw -> state_mu; later state_mu ->
 *                    read-locks config_rw: a cycle (the writer blocks the
 *                    reader).
 *   rw_read_write    read-locks config_rw -> state_mu; later state_mu ->
 *                    write-locks config_rw: a cycle.
 *   rw_read_read     read config_rw -> read schema_rw and back, and read
 *                    config_rw -> state_mu -> read config_rw: readers never
 *                    wait for readers on glibc's default rwlock: clean.
 *   errorcheck       an error-checking mutex relocked returns EDEADLK (exit
 *                    0 if it did); a timed lock that timed out formed no
 *                    edge (timed_mu -> other_mu later is no cycle).
 *   c11_cycle        C11 mtx_t: c11_a -> c11_b, then c11_b -> c11_a.
 *   spin_cycle       spinlocks: spin_a -> spin_b, then spin_b -> spin_a.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>
#include <time.h>

pthread_mutex_t first_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t second_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_rwlock_t config_rw = PTHREAD_RWLOCK_INITIALIZER;
pthread_rwlock_t schema_rw = PTHREAD_RWLOCK_INITIALIZER;
pthread_mutex_t checked_mu;
pthread_mutex_t timed_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t other_mu = PTHREAD_MUTEX_INITIALIZER;
mtx_t c11_a;
mtx_t c11_b;
pthread_spinlock_t spin_a;
pthread_spinlock_t spin_b;

static int Fail(const char* what, int err) {
  fprintf(stderr, "lock_patterns_c: %s: %s\n", what, strerror(err));
  return 1;
}

static int TrylockInto(void) {
  pthread_mutex_lock(&first_mu);
  int err = pthread_mutex_trylock(&second_mu);
  if (err != 0) return Fail("trylock second_mu", err);
  pthread_mutex_unlock(&second_mu);
  pthread_mutex_unlock(&first_mu);

  pthread_mutex_lock(&second_mu);
  pthread_mutex_lock(&first_mu);
  pthread_mutex_unlock(&first_mu);
  pthread_mutex_unlock(&second_mu);
  return 0;
}

static int TrylockFrom(void) {
  int err = pthread_mutex_trylock(&first_mu);
  if (err != 0) return Fail("trylock first_mu", err);
  pthread_mutex_lock(&second_mu);
  pthread_mutex_unlock(&second_mu);
  pthread_mutex_unlock(&first_mu);

  pthread_mutex_lock(&second_mu);
  pthread_mutex_lock(&first_mu);
  pthread_mutex_unlock(&first_mu);
  pthread_mutex_unlock(&second_mu);
  return 0;
}

static int RwWriteRead(void) {
  pthread_rwlock_wrlock(&config_rw);
  pthread_mutex_lock(&state_mu);
  pthread_mutex_unlock(&state_mu);
  pthread_rwlock_unlock(&config_rw);

  pthread_mutex_lock(&state_mu);
  pthread_rwlock_rdlock(&config_rw);
  pthread_rwlock_unlock(&config_rw);
  pthread_mutex_unlock(&state_mu);
  return 0;
}

static int RwReadWrite(void) {
  pthread_rwlock_rdlock(&config_rw);
  pthread_mutex_lock(&state_mu);
  pthread_mutex_unlock(&state_mu);
  pthread_rwlock_unlock(&config_rw);

  pthread_mutex_lock(&state_mu);
  pthread_rwlock_wrlock(&config_rw);
  pthread_rwlock_unlock(&config_rw);
  pthread_mutex_unlock(&state_mu);
  return 0;
}

static void* ReadSchemaThenConfig(void* arg) {
  (void)arg;
  pthread_rwlock_rdlock(&schema_rw);
  pthread_rwlock_rdlock(&config_rw);
  pthread_rwlock_unlock(&config_rw);
  pthread_rwlock_unlock(&schema_rw);
  return NULL;
}

static int RwReadRead(void) {
  pthread_rwlock_rdlock(&config_rw);
  pthread_rwlock_rdlock(&schema_rw);
  pthread_rwlock_unlock(&schema_rw);
  pthread_rwlock_unlock(&config_rw);
  pthread_t t;
  pthread_create(&t, NULL, ReadSchemaThenConfig, NULL);
  pthread_join(t, NULL);

  pthread_rwlock_rdlock(&config_rw);
  pthread_mutex_lock(&state_mu);
  pthread_mutex_unlock(&state_mu);
  pthread_rwlock_unlock(&config_rw);
  pthread_mutex_lock(&state_mu);
  pthread_rwlock_rdlock(&config_rw);
  pthread_rwlock_unlock(&config_rw);
  pthread_mutex_unlock(&state_mu);
  return 0;
}

/* Holds other_mu and tries timed_mu, which main holds until it joined this
 * thread: the timed lock times out. */
static void* TimedLockTimesOut(void* arg) {
  int* result = arg;
  pthread_mutex_lock(&other_mu);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 1000000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000;
  }
  *result = pthread_mutex_timedlock(&timed_mu, &deadline);
  pthread_mutex_unlock(&other_mu);
  return NULL;
}

static int ErrorCheck(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&checked_mu, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_mutex_lock(&checked_mu);
  int err = pthread_mutex_lock(&checked_mu);
  if (err != EDEADLK) return Fail("relock of an error-checking mutex", err);
  pthread_mutex_unlock(&checked_mu);
  pthread_mutex_destroy(&checked_mu);

  int timed = 0;
  pthread_mutex_lock(&timed_mu);
  pthread_t t;
  pthread_create(&t, NULL, TimedLockTimesOut, &timed);
  pthread_join(t, NULL);
  pthread_mutex_unlock(&timed_mu);
  if (timed != ETIMEDOUT) return Fail("timed lock of a held mutex", timed);

  pthread_mutex_lock(&timed_mu);
  pthread_mutex_lock(&other_mu);
  pthread_mutex_unlock(&other_mu);
  pthread_mutex_unlock(&timed_mu);
  puts("errorcheck ok");
  return 0;
}

static int C11Cycle(void) {
  mtx_init(&c11_a, mtx_plain);
  mtx_init(&c11_b, mtx_plain);
  mtx_lock(&c11_a);
  mtx_lock(&c11_b);
  mtx_unlock(&c11_b);
  mtx_unlock(&c11_a);
  mtx_lock(&c11_b);
  mtx_lock(&c11_a);
  mtx_unlock(&c11_a);
  mtx_unlock(&c11_b);
  return 0;
}

static int SpinCycle(void) {
  pthread_spin_init(&spin_a, PTHREAD_PROCESS_PRIVATE);
  pthread_spin_init(&spin_b, PTHREAD_PROCESS_PRIVATE);
  pthread_spin_lock(&spin_a);
  pthread_spin_lock(&spin_b);
  pthread_spin_unlock(&spin_b);
  pthread_spin_unlock(&spin_a);
  pthread_spin_lock(&spin_b);
  pthread_spin_lock(&spin_a);
  pthread_spin_unlock(&spin_a);
  pthread_spin_unlock(&spin_b);
  return 0;
}

int main(int argc, char** argv) {
  const char* pattern = argc > 1 ? argv[1] : "";
  if (strcmp(pattern, "trylock_into") == 0) return TrylockInto();
  if (strcmp(pattern, "trylock_from") == 0) return TrylockFrom();
  if (strcmp(pattern, "rw_write_read") == 0) return RwWriteRead();
  if (strcmp(pattern, "rw_read_write") == 0) return RwReadWrite();
  if (strcmp(pattern, "rw_read_read") == 0) return RwReadRead();
  if (strcmp(pattern, "errorcheck") == 0) return ErrorCheck();
  if (strcmp(pattern, "c11_cycle") == 0) return C11Cycle();
  if (strcmp(pattern, "spin_cycle") == 0) return SpinCycle();
  fprintf(stderr, "lock_patterns_c: unknown pattern '%s'\n", pattern);
  return 2;
}
