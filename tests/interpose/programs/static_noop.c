/* tests/interpose/programs/static_noop.c — a statically linked program
 * (linked with -static): nothing can be preloaded into it, so `lockscope
 * run` must refuse it in one line (exit 2) instead of running it silently
 * untracked. */
int main(void) { return 0; }
