// collector/trace/raw_frames.h: the raw frames that a trace's findings and
// edges name are symbolized from the binaries at hand, but only from a file
// with the recorded build id; other stacks are left raw.
#include "collector/trace/raw_frames.h"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

using ::testing::HasSubstr;

__attribute__((noinline)) uint64_t RawFrameTarget(uint64_t x) {
  asm volatile("" : "+r"(x));
  return x * 5;
}

// This executable as the runtime records it: path, load bias, end of its
// executable mappings, GNU build id.
ModuleInfo ThisExecutable() {
  ModuleInfo module;
  module.id = 1;
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  module.path = n > 0 ? std::string(path, static_cast<size_t>(n)) : "";
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* m = static_cast<ModuleInfo*>(data);
        m->base = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
            m->end = info->dlpi_addr + ph.p_vaddr + ph.p_memsz;
          }
          if (ph.p_type != PT_NOTE) continue;
          const char* p =
              reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p, sizeof(nh));
            const char* name = p + sizeof(nh);
            const char* desc = name + ((nh.n_namesz + 3) & ~3u);
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0) {
              for (unsigned j = 0; j < nh.n_descsz; ++j) {
                absl::StrAppendFormat(&m->build_id, "%02x",
                                      static_cast<unsigned char>(desc[j]));
              }
            }
            p = desc + ((nh.n_descsz + 3) & ~3u);
          }
        }
        return 1;  // the first entry is the executable
      },
      &module);
  return module;
}

// A trace of this process: stack 1 (named by a finding) and stack 2
// (named by nothing) both hold a pc inside RawFrameTarget.
TraceData TraceOfThisProcess(const ModuleInfo& module) {
  TraceData data;
  data.modules[module.id] = module;
  const uint64_t pc = reinterpret_cast<uint64_t>(&RawFrameTarget) + 1;
  data.stacks[1] = {pc};
  data.stacks[2] = {pc + 1};
  Finding finding;
  finding.id = 1;
  finding.stack = 1;
  data.findings.push_back(finding);
  return data;
}

TEST(RawFramesTest, SymbolizesTheStacksAFindingNames) {
  const ModuleInfo module = ThisExecutable();
  ASSERT_FALSE(module.build_id.empty()) << "built without a build id";
  TraceData data = TraceOfThisProcess(module);
  EXPECT_EQ(SymbolizeRawFrames(&data), 1u);
  const uint64_t pc = data.stacks[1][0];
  ASSERT_TRUE(data.frames.contains(pc));
  EXPECT_THAT(data.frames[pc].function, HasSubstr("RawFrameTarget"));
  EXPECT_THAT(data.frames[pc].file, HasSubstr("raw_frames_test.cc"));
  // Stack 2 is named by nothing: left raw.
  EXPECT_FALSE(data.frames.contains(data.stacks[2][0]));
  // Frames already there: nothing to do.
  EXPECT_EQ(SymbolizeRawFrames(&data), 0u);
}

TEST(RawFramesTest, SymbolizesTheStacksAnEdgeNames) {
  TraceData data = TraceOfThisProcess(ThisExecutable());
  data.findings.clear();
  EdgeState edge;
  edge.first.from_stack = 2;
  edge.first.to_stack = 1;
  data.edges.push_back(edge);
  EXPECT_EQ(SymbolizeRawFrames(&data), 2u);
}

TEST(RawFramesTest, AnotherBinaryAtThePathIsNotUsed) {
  ModuleInfo module = ThisExecutable();
  module.build_id = "00112233445566778899aabbccddeeff00112233";
  TraceData data = TraceOfThisProcess(module);
  EXPECT_EQ(SymbolizeRawFrames(&data), 0u);
  EXPECT_TRUE(data.frames.empty());
}

TEST(RawFramesTest, OnlyRegularFilesAreOpened) {
  ModuleInfo module = ThisExecutable();
  module.path = "/dev/zero";
  module.build_id.clear();
  TraceData data = TraceOfThisProcess(module);
  EXPECT_EQ(SymbolizeRawFrames(&data), 0u);
  module.path = "/nonexistent/program";
  data = TraceOfThisProcess(module);
  EXPECT_EQ(SymbolizeRawFrames(&data), 0u);
}

}  // namespace
}  // namespace lockscope::collector
