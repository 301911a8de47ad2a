// tests/viewer/cli_fixture.h — shared pieces of the tests that run the
// `lockscope` binary.
#ifndef LOCKSCOPE_TESTS_VIEWER_CLI_FIXTURE_H_
#define LOCKSCOPE_TESTS_VIEWER_CLI_FIXTURE_H_

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/viewer/json_checker.h"
#include "tests/viewer/run_cli.h"
#include "tests/viewer/test_traces.h"

namespace lockscope::viewer::test_traces {

// The bank trace (see test_traces.h), written once per test binary.
const std::string& BankTrace();

// Parses `text` as JSON, failing the test (and returning null) if it does
// not parse.
std::unique_ptr<Json> MustParse(const std::string& text);

// Asserts that a run failed as bad input or usage must: exit status 2 and
// exactly one line on stderr, starting "lockscope: " and mentioning `what`.
void ExpectOneLineError(const CliResult& result, const std::string& what);

}  // namespace lockscope::viewer::test_traces

#endif  // LOCKSCOPE_TESTS_VIEWER_CLI_FIXTURE_H_
