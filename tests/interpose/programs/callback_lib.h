/* tests/interpose/programs/callback_lib.h — the callback library's API. */
#ifndef LOCKSCOPE_TESTS_INTERPOSE_PROGRAMS_CALLBACK_LIB_H_
#define LOCKSCOPE_TESTS_INTERPOSE_PROGRAMS_CALLBACK_LIB_H_

#ifdef __cplusplus
extern "C" {
#endif

/* 1 once the library's constructor ran (it locks a mutex to say so). */
int callback_lib_ready(void);
/* Calls visit(arg) while holding the library's lock (lib_mu). */
void callback_lib_visit(void (*visit)(void*), void* arg);
/* Takes and releases lib_mu. */
void callback_lib_touch(void);

#ifdef __cplusplus
}
#endif

#endif  /* LOCKSCOPE_TESTS_INTERPOSE_PROGRAMS_CALLBACK_LIB_H_ */
