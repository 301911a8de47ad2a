// Replays the trace corpus through what the fuzzer runs per input
// (trace_exercise.h), in ordinary builds — so the ASan/UBSan CI job checks
// the reader, the analysis, the report printer and the viewer on real
// traces, on every former fuzzer crash, and on byte-level mutations of the
// real traces, without libFuzzer.
//
//   - Seeds: traces recorded at build time by tracked programs
//     (tests/fuzz/make_seeds.sh), including ones whose process died.
//   - tests/data/*.lstrace: each former crash, as the smallest input that
//     reproduced it (see tests/data/README.md for the list).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fuzz/trace_exercise.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace lockscope::fuzz {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> TracesIn(const std::string& dir) {
  return ::lockscope::testing::FilesIn(dir, ".lstrace");
}

using ::lockscope::testing::ReadFile;

void ExpectNoViolations(const std::string& path, const ExerciseResult& r) {
  EXPECT_TRUE(r.violations.empty())
      << path << ":\n  " << absl::StrJoin(r.violations, "\n  ");
}

TEST(TraceCorpusTest, EverySeedLoadsAndExercisesCleanly) {
  const std::vector<std::string> seeds = TracesIn(LOCKSCOPE_FUZZ_SEEDS);
  // make_seeds.sh records at least 8 traces with traced_program alone.
  ASSERT_GE(seeds.size(), 8u) << "no seed corpus in " << LOCKSCOPE_FUZZ_SEEDS;
  size_t with_findings = 0, torn = 0;
  for (const std::string& path : seeds) {
    SCOPED_TRACE(path);
    const ExerciseResult r = ExerciseTrace(path);
    ExpectNoViolations(path, r);
    ASSERT_TRUE(r.load.ok()) << r.load;
    with_findings += r.stored_findings > 0;
    torn += !r.warning.empty();
    // Re-analysing the stored edges finds (at least) the stored cycles.
    EXPECT_GE(r.reanalyzed_findings, r.stored_cycles);
    if (ExercisesViewer()) {
      ASSERT_FALSE(r.commands.empty());
      ASSERT_EQ(r.commands.size(), r.exit_codes.size());
      for (size_t i = 0; i < r.commands.size(); ++i) {
        // A torn seed may end before its first Thread record (it is cut at
        // a random point of the run), and naming a thread it does not hold
        // is a usage error (exit 2, -1 here), not a crash.
        const bool names_missing_thread =
            !r.warning.empty() &&
            r.commands[i].rfind("events --thread=1", 0) == 0 &&
            r.exit_codes[i] == -1;
        EXPECT_TRUE(r.exit_codes[i] == 0 || r.exit_codes[i] == 1 ||
                    names_missing_thread)
            << "lockscope " << r.commands[i] << " -> " << r.exit_codes[i];
      }
    }
  }
  EXPECT_GE(with_findings, 4u);
  EXPECT_GE(torn, 1u);
}

TEST(TraceCorpusTest, FormerCrashesNoLongerBreakAnything) {
  for (const std::string& path : TracesIn(LOCKSCOPE_TEST_DATA_DIR)) {
    SCOPED_TRACE(path);
    const ExerciseResult r = ExerciseTrace(path);
    ExpectNoViolations(path, r);
    if (!r.load.ok()) {
      EXPECT_THAT(std::string(r.load.message()), HasSubstr(path));
    }
  }
}

// A cheap, deterministic slice of what the fuzzer does: each seed with a
// few bytes overwritten, a record length inflated, or its tail cut.
TEST(TraceCorpusTest, MutatedSeedsNeverBreakAnInvariant) {
  std::mt19937 random(20240607);
  const std::string path = testing::TempPath("mutated.lstrace");
  int loaded = 0, rejected = 0;
  for (const std::string& seed : TracesIn(LOCKSCOPE_FUZZ_SEEDS)) {
    const std::string original = ReadFile(seed);
    ASSERT_GT(original.size(), 64u);
    for (int i = 0; i < 12; ++i) {
      std::string bytes = original;
      const size_t at = 32 + random() % (bytes.size() - 32);
      switch (i % 3) {
        case 0:  // a few random bytes
          for (int k = 0; k < 4 && at + k < bytes.size(); ++k) {
            bytes[at + k] = static_cast<char>(random());
          }
          break;
        case 1:  // a varint with its continuation bits set
          for (int k = 0; k < 10 && at + k < bytes.size(); ++k) {
            bytes[at + k] = static_cast<char>(0xff);
          }
          break;
        default:  // cut anywhere
          bytes.resize(at);
      }
      { std::ofstream(path, std::ios::binary) << bytes; }
      const ExerciseResult r = ExerciseTrace(path);
      ExpectNoViolations(seed + " mutation " + std::to_string(i), r);
      (r.load.ok() ? loaded : rejected) += 1;
    }
  }
  // Both outcomes occur, so both paths were exercised.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lockscope::fuzz
