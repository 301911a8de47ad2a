// Linked with -static: `lockscope run` must refuse it (no loader, so no
// LD_PRELOAD).
int main() { return 0; }
