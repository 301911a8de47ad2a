// runtime/reentry.h — the one re-entry guard of the runtime.
//
// While the runtime works on a thread (a hook's slow path, the collector and
// watchdog threads for their whole lives, the at-exit and fork handlers, the
// symbolizer), tls_in_runtime is set. Two things read it:
//   - the hooks: a hook reached from inside the runtime (an allocator or
//     libunwind taking a tracked lock) does nothing, so tracking never
//     recurses into itself or re-takes a runtime lock it holds;
//   - the pthread interposer (interpose/): every pthread lock the runtime
//     itself takes (its RawMutex is a std::mutex) and every lock that code it
//     calls takes (libdw, libunwind, protobuf, Abseil, libstdc++) passes
//     straight to the real function while the flag is set.
//
// A constinit, initial-exec thread-local: reading it is one load off the
// thread pointer, no __tls_get_addr call and no init wrapper. Exported (it
// is in namespace lockscope::runtime), so the interposer reads the same one.
#ifndef LOCKSCOPE_RUNTIME_REENTRY_H_
#define LOCKSCOPE_RUNTIME_REENTRY_H_

namespace lockscope::runtime {

extern constinit thread_local bool tls_in_runtime
    __attribute__((tls_model("initial-exec")));

// Sets tls_in_runtime for its scope; nests (only the outermost clears it).
class ReentryGuard {
 public:
  ReentryGuard() : outer_(!tls_in_runtime) { tls_in_runtime = true; }
  ~ReentryGuard() {
    if (outer_) tls_in_runtime = false;
  }
  ReentryGuard(const ReentryGuard&) = delete;
  ReentryGuard& operator=(const ReentryGuard&) = delete;

  // True when the runtime was already running on this thread: a hook that
  // finds itself nested returns without tracking.
  bool nested() const { return !outer_; }

 private:
  const bool outer_;
};

}  // namespace lockscope::runtime

#endif  // LOCKSCOPE_RUNTIME_REENTRY_H_
