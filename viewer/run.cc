// lockscope run [--trace=FILE] [--options=K=V:...] [--] PROGRAM [ARGS...]
//
// Runs an unmodified program with liblockscope_preload.so preloaded, so
// every pthread lock it takes is tracked, and exits as it did: its own
// status, the runtime's `exitcode` (66) when it exited with failing
// findings, 128+N when signal N killed it; 127 / 126 when PROGRAM is
// missing / not executable; 2 (one line) for bad usage, bad options, or a
// program the loader would not preload into (statically linked, setuid).
// Output passes through untouched; SIGINT, SIGTERM, SIGHUP and SIGQUIT sent
// to lockscope reach the program.
//
// Options are checked before the program starts, by the parser the runtime
// itself uses: the viewer must not include runtime/ (it reads traces only),
// so it loads the interposer it is about to preload (RTLD_LOCAL: nothing of
// the viewer is interposed) and calls its lockscope_preload_check_options.
// That also proves the library loads before the program runs.
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "viewer/build_info.h"
#include "viewer/setid_check.h"
#include "viewer/subcommand.h"

namespace lockscope::viewer {
namespace {

constexpr int kExitNotFound = 127;
constexpr int kExitNotExecutable = 126;

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string SelfDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? Dirname(std::string(buf, static_cast<size_t>(n))) : ".";
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// LOCKSCOPE_PRELOAD, else next to the CLI (a flat layout), else the
// installed lib directory, else the build tree's interpose/.
absl::StatusOr<std::string> FindPreload() {
  if (const char* env = std::getenv("LOCKSCOPE_PRELOAD");
      env != nullptr && env[0] != '\0') {
    if (!IsFile(env)) {
      return absl::NotFoundError(absl::StrCat(
          "run: LOCKSCOPE_PRELOAD=", env, ": no such file"));
    }
    return std::string(env);
  }
  const std::string dir = SelfDir();
  const std::string name = "liblockscope_preload.so";
  for (const std::string& candidate :
       {absl::StrCat(dir, "/", name),
        absl::StrCat(dir, "/../", LOCKSCOPE_INSTALL_LIBDIR, "/", name),
        absl::StrCat(dir, "/../lib/", name),
        absl::StrCat(dir, "/../interpose/", name)}) {
    if (IsFile(candidate)) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(
      "run: cannot find ", name, " next to ", dir, " or in ", dir, "/../",
      LOCKSCOPE_INSTALL_LIBDIR, " (set LOCKSCOPE_PRELOAD)"));
}

// PROGRAM as execvp would find it ("" when nowhere).
std::string Resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin",
                      ':')) {
    const std::string candidate =
        absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (access(candidate.c_str(), F_OK) == 0) return candidate;
  }
  return "";
}

enum class ElfKind { kNotElf, kDynamic, kStatic, kUnreadable };

// A dynamically linked ELF executable has a PT_INTERP program header: the
// loader that honours LD_PRELOAD.
ElfKind ClassifyElf(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ElfKind::kUnreadable;
  Elf64_Ehdr eh;
  ElfKind kind = ElfKind::kNotElf;
  if (pread(fd, &eh, sizeof(eh), 0) == static_cast<ssize_t>(sizeof(eh)) &&
      std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0) {
    kind = ElfKind::kStatic;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
      kind = ElfKind::kDynamic;  // 32-bit: the loader will say what it thinks
    } else {
      for (int i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        const off_t at = static_cast<off_t>(eh.e_phoff) +
                         static_cast<off_t>(i) * eh.e_phentsize;
        if (pread(fd, &ph, sizeof(ph), at) != static_cast<ssize_t>(sizeof(ph))) {
          break;
        }
        if (ph.p_type == PT_INTERP) {
          kind = ElfKind::kDynamic;
          break;
        }
      }
    }
  }
  close(fd);
  return kind;
}

volatile sig_atomic_t g_child = 0;

// Passes a signal sent to lockscope (kill, not the terminal: the program
// shares the terminal's process group and got that one itself) on.
void Forward(int sig, siginfo_t* info, void*) {
  if (g_child > 0 && info != nullptr && info->si_code <= 0) {
    kill(g_child, sig);
  }
}

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

class RunCommand : public Subcommand {
 public:
  std::string_view name() const override { return "run"; }
  std::string_view description() const override {
    return "run an unmodified program with every pthread lock tracked";
  }

  void Configure(CLI::App& command) override {
    command_ = &command;
    command.add_option("--trace", trace_,
                       "trace file (%p = pid); same as --options=trace=FILE")
        ->type_name("FILE");
    command.add_option("--options", options_,
                       "LOCKSCOPE_OPTIONS to add (they win over the "
                       "environment's), e.g. watchdog_ms=500:report=off")
        ->type_name("K=V:...");
    // PROGRAM and its arguments: everything from the first positional on,
    // untouched (its own options included).
    command.prefix_command();
    command.fallthrough(false);
    command.footer(
        "  PROGRAM [ARGS...]  the program to run (after '--' if it starts "
        "with '-')\n\n"
        "Examples:\n"
        "  lockscope run ./server --port 8080\n"
        "  lockscope run --trace=app.%p.lstrace --options=watchdog_ms=500 -- "
        "./app\n\n"
        "Exit status: the program's own; 66 (exitcode=) when it exits with "
        "findings; 128+N when signal N killed it; 127/126 when PROGRAM is "
        "missing/not executable; 2 for bad usage or options, or a program "
        "that cannot be interposed (statically linked, setuid).");
  }

  absl::StatusOr<int> Run(const CommandContext& context) override {
    std::vector<std::string> argv = command_->remaining();
    argv.insert(argv.end(), context.after_dashes.begin(),
                context.after_dashes.end());
    absl::StatusOr<std::string> preload = FindPreload();
    if (argv.empty()) {
      // `--options=help=1` alone lists the runtime's options: the one way
      // to see them whatever was built (an untracked program has no
      // runtime to print help=1).
      if (!WantsHelp(options_)) {
        return absl::InvalidArgumentError(
            "no PROGRAM given");
      }
      if (!preload.ok()) return preload.status();
      if (absl::Status s = CheckOptions(*preload, options_); !s.ok()) return s;
      absl::StatusOr<std::string> help = OptionsHelp(*preload);
      if (!help.ok()) return help.status();
      context.out << *help;
      return 0;
    }
    if (!preload.ok()) return preload.status();

    // LOCKSCOPE_OPTIONS: the environment's, then --trace, then --options
    // (the runtime applies keys left to right: the last one wins).
    std::string options;
    const auto add = [&options](std::string_view more) {
      if (more.empty()) return;
      if (!options.empty()) options += ":";
      options += more;
    };
    if (const char* env = std::getenv("LOCKSCOPE_OPTIONS")) add(env);
    if (!trace_.empty()) add(absl::StrCat("trace=", trace_));
    add(options_);
    if (absl::Status s = CheckOptions(*preload, options); !s.ok()) return s;

    const std::string& program = argv.front();
    const std::string path = Resolve(program);
    if (path.empty()) {
      context.err << "lockscope: run: " << program << ": command not found"
                  << std::endl;
      return kExitNotFound;
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      context.err << "lockscope: run: " << path << ": " << std::strerror(errno)
                  << std::endl;
      return kExitNotFound;
    }
    if (!S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) {
      context.err << "lockscope: run: " << path << ": "
                  << (S_ISDIR(st.st_mode) ? "is a directory"
                                          : "permission denied (not executable)")
                  << std::endl;
      return kExitNotExecutable;
    }
    if (absl::Status s = RefuseSetIdProgram(path); !s.ok()) {
      context.err << s.message() << std::endl;  // "lockscope run: ..."
      return kExitError;
    }
    switch (ClassifyElf(path)) {
      case ElfKind::kStatic:
        return absl::FailedPreconditionError(absl::StrCat(
            "run: ", path,
            " is statically linked: its pthread calls cannot be interposed "
            "(link it dynamically, or build it with TRACK_THREAD_BORROWS)"));
      case ElfKind::kUnreadable:  // execute-only: the loader will tell
      case ElfKind::kNotElf:  // a script: its interpreter is preloaded
      case ElfKind::kDynamic:
        break;
    }

    std::string ld_preload = *preload;
    if (const char* env = std::getenv("LD_PRELOAD");
        env != nullptr && env[0] != '\0') {
      ld_preload = absl::StrCat(ld_preload, ":", env);
    }
    return Spawn(path, argv, ld_preload, options, context);
  }

 private:
  // Whether `options` (K=V:...) sets help to 1 or true.
  static bool WantsHelp(const std::string& options) {
    bool help = false;
    for (absl::string_view item : absl::StrSplit(options, ':')) {
      if (item == "help=1" || item == "help=true") help = true;
      if (item == "help=0" || item == "help=false") help = false;
    }
    return help;
  }

  // The runtime's help=1 text, from the interposer (CheckOptions loaded it).
  static absl::StatusOr<std::string> OptionsHelp(const std::string& preload) {
    void* lib = dlopen(preload.c_str(), RTLD_NOW | RTLD_LOCAL);
    using HelpFn = int (*)(char*, size_t);
    auto help = lib == nullptr ? nullptr
                               : reinterpret_cast<HelpFn>(dlsym(
                                     lib, "lockscope_preload_options_help"));
    if (help == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run: ", preload, " cannot list the options (an older interposer)"));
    }
    std::string text(static_cast<size_t>(help(nullptr, 0)) + 1, '\0');
    text.resize(static_cast<size_t>(help(text.data(), text.size())));
    return text;
  }

  static absl::Status CheckOptions(const std::string& preload,
                                   const std::string& options) {
    if (options.empty()) return absl::OkStatus();
    void* lib = dlopen(preload.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      return absl::FailedPreconditionError(absl::StrCat(
          "run: cannot load ", preload, ": ", why != nullptr ? why : "?"));
    }
    using CheckFn = int (*)(const char*, char*, size_t);
    auto check = reinterpret_cast<CheckFn>(
        dlsym(lib, "lockscope_preload_check_options"));
    if (check == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run: ", preload, " is not lockscope's interposer"));
    }
    char error[512] = {0};
    if (check(options.c_str(), error, sizeof(error)) == 0) {
      // "lockscope: LOCKSCOPE_OPTIONS: ..." from the parser, minus our
      // prefix (main prints "lockscope: ").
      std::string message = error;
      constexpr std::string_view kPrefix = "lockscope: ";
      if (message.rfind(kPrefix, 0) == 0) message.erase(0, kPrefix.size());
      return absl::InvalidArgumentError(
          absl::StrCat("run: ", message, "; the program was not started"));
    }
    // Kept loaded: its fork handlers are registered in this process.
    return absl::OkStatus();
  }

  static absl::StatusOr<int> Spawn(const std::string& path,
                                   const std::vector<std::string>& args,
                                   const std::string& ld_preload,
                                   const std::string& options,
                                   const CommandContext& context) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    context.out.flush();
    context.err.flush();

    struct sigaction forward;
    std::memset(&forward, 0, sizeof(forward));
    forward.sa_sigaction = Forward;
    forward.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&forward.sa_mask);
    struct sigaction previous[std::size(kForwarded)];
    for (size_t i = 0; i < std::size(kForwarded); ++i) {
      sigaction(kForwarded[i], &forward, &previous[i]);
    }

    // Held back until g_child is known, so none is lost in between.
    sigset_t forwarded, old_mask;
    sigemptyset(&forwarded);
    for (const int sig : kForwarded) sigaddset(&forwarded, sig);
    sigprocmask(SIG_BLOCK, &forwarded, &old_mask);
    const pid_t pid = fork();
    if (pid < 0) {
      sigprocmask(SIG_SETMASK, &old_mask, nullptr);
      return absl::InternalError(
          absl::StrCat("run: fork: ", std::strerror(errno)));
    }
    if (pid == 0) {
      for (size_t i = 0; i < std::size(kForwarded); ++i) {
        sigaction(kForwarded[i], &previous[i], nullptr);
      }
      sigprocmask(SIG_SETMASK, &old_mask, nullptr);
      setenv("LD_PRELOAD", ld_preload.c_str(), 1);
      if (options.empty()) {
        unsetenv("LOCKSCOPE_OPTIONS");
      } else {
        setenv("LOCKSCOPE_OPTIONS", options.c_str(), 1);
      }
      execv(path.c_str(), argv.data());
      const int err = errno;
      const std::string line = absl::StrCat("lockscope: run: ", path, ": ",
                                            std::strerror(err), "\n");
      (void)!write(STDERR_FILENO, line.data(), line.size());
      _exit(err == ENOENT ? kExitNotFound : kExitNotExecutable);
    }
    g_child = pid;
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        return absl::InternalError(
            absl::StrCat("run: waitpid: ", std::strerror(errno)));
      }
    }
    g_child = 0;
    for (size_t i = 0; i < std::size(kForwarded); ++i) {
      sigaction(kForwarded[i], &previous[i], nullptr);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kExitError;
  }

  CLI::App* command_ = nullptr;
  std::string trace_;
  std::string options_;
};

}  // namespace

std::unique_ptr<Subcommand> NewRunCommand() {
  return std::make_unique<RunCommand>();
}

}  // namespace lockscope::viewer
