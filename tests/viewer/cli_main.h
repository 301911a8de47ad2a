// tests/viewer/cli_main.h — the `lockscope` CLI's main(), callable in the
// test process (cli_main.cc compiles viewer/main.cc with main renamed).
#ifndef LOCKSCOPE_TESTS_VIEWER_CLI_MAIN_H_
#define LOCKSCOPE_TESTS_VIEWER_CLI_MAIN_H_

// viewer/main.cc's main(): parses argv, runs one subcommand on std::cout
// and std::cerr, returns the exit status.
int LockscopeCliMain(int argc, char** argv);

#endif  // LOCKSCOPE_TESTS_VIEWER_CLI_MAIN_H_
