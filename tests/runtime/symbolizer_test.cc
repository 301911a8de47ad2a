// Tests for collector/trace/symbolizer.h against this very binary (built with
// debug info, as RelWithDebInfo and Debug are).
#include "collector/trace/symbolizer.h"

#include <link.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

// The return address of this call: a pc inside the caller, as libunwind
// would capture it.
__attribute__((noinline)) uint64_t CallerPc() {
  uint64_t pc = reinterpret_cast<uint64_t>(__builtin_return_address(0));
  asm volatile("" : : "r"(pc) : "memory");  // not a tail call
  return pc;
}

__attribute__((noinline)) uint64_t SymbolizeMe(uint64_t x) {
  asm volatile("" : "+r"(x));
  return x * 3;
}

TEST(SymbolizerTest, ReturnAddressGivesCallerFunctionFileAndLine) {
  const uint64_t pc = CallerPc();
  const uint32_t line = __LINE__ - 1;  // the call above
  auto symbolizer = Symbolizer::ForCurrentProcess();
  const Frame frame = symbolizer->Symbolize(pc);
  EXPECT_EQ(frame.pc, pc);
  EXPECT_THAT(frame.function,
              HasSubstr("SymbolizerTest_ReturnAddressGivesCallerFunction"
                        "FileAndLine_Test::TestBody()"));
  EXPECT_THAT(frame.file, EndsWith("symbolizer_test.cc"));
  EXPECT_EQ(frame.line, line);
  EXPECT_FALSE(frame.module.empty());
}

TEST(SymbolizerTest, FunctionAddressGivesItsDemangledName) {
  auto symbolizer = Symbolizer::ForCurrentProcess();
  // +1: Symbolize looks up pc - 1, as for a return address.
  const uint64_t pc = reinterpret_cast<uint64_t>(&SymbolizeMe) + 1;
  const Frame frame = symbolizer->Symbolize(pc);
  EXPECT_EQ(frame.function,
            "lockscope::collector::(anonymous namespace)::SymbolizeMe("
            "unsigned long)");
  EXPECT_THAT(frame.file, EndsWith("symbolizer_test.cc"));
  EXPECT_GT(frame.line, 20u);
  EXPECT_LT(frame.line, 40u);
  // Cached: same answer again.
  EXPECT_EQ(symbolizer->Symbolize(pc).function, frame.function);
}

TEST(SymbolizerTest, UnknownAddressLeavesTheFrameEmpty) {
  auto symbolizer = Symbolizer::ForCurrentProcess();
  const Frame frame = symbolizer->Symbolize(8);
  EXPECT_EQ(frame.pc, 8u);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.file, "");
  EXPECT_EQ(frame.line, 0u);
  EXPECT_EQ(frame.module, "");
}

// The module map the runtime would record: path and load bias of the main
// executable.
std::vector<ModuleInfo> MainExecutable() {
  std::vector<ModuleInfo> modules;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        auto* list = static_cast<std::vector<ModuleInfo>*>(out);
        if (!list->empty()) return 1;  // the first entry is the executable
        ModuleInfo module;
        module.id = 1;
        module.path = "/proc/self/exe";
        module.base = info->dlpi_addr;
        list->push_back(module);
        return 1;
      },
      &modules);
  return modules;
}

TEST(SymbolizerTest, ForModulesSymbolizesFromTheFilesOnDisk) {
  const std::vector<ModuleInfo> modules = MainExecutable();
  ASSERT_EQ(modules.size(), 1u);
  auto symbolizer = Symbolizer::ForModules(modules);
  const uint64_t pc = reinterpret_cast<uint64_t>(&SymbolizeMe) + 1;
  const Frame frame = symbolizer->Symbolize(pc);
  EXPECT_THAT(frame.function, HasSubstr("SymbolizeMe(unsigned long)"));
  EXPECT_THAT(frame.file, EndsWith("symbolizer_test.cc"));
  EXPECT_EQ(frame.module, "/proc/self/exe");
}

TEST(SymbolizerTest, ForModulesSkipsMissingFiles) {
  ModuleInfo missing;
  missing.id = 1;
  missing.path = "/nonexistent/libgone.so";
  missing.base = 0x10000;
  auto symbolizer = Symbolizer::ForModules({missing});
  const Frame frame = symbolizer->Symbolize(0x10100);
  EXPECT_EQ(frame.function, "");
  EXPECT_EQ(frame.module, "");
}

}  // namespace
}  // namespace lockscope::collector
