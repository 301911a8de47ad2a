// collector::Printable and PrintableContext: names from a trace lose every
// control character a terminal would act on, and nothing else.
#include "collector/analysis/printable.h"

#include <map>

#include "gtest/gtest.h"

namespace lockscope::collector {
namespace {

TEST(PrintableTest, KeepsPrintableTextAndOtherCodePoints) {
  EXPECT_EQ(Printable("accounts \"q\" </script> \\"), "accounts \"q\" </script> \\");
  EXPECT_EQ(Printable("r\xc3\xa9sum\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92"),
            "r\xc3\xa9sum\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92");
  // U+00A0, the first code point past the C1 block, is kept.
  EXPECT_EQ(Printable("a\xc2\xa0" "b"), "a\xc2\xa0" "b");
}

TEST(PrintableTest, ReplacesC0DelAndC1WithSpaces) {
  EXPECT_EQ(Printable("a\nb\rc\td\x1b[31me\x07\x7f"), "a b c d [31me  ");
  // CSI, OSC and ST as UTF-8 code points.
  EXPECT_EQ(Printable("x\xc2\x9b" "2J\xc2\x9d" "0;t\xc2\x9cy"), "x 2J 0;t y");
  EXPECT_EQ(Printable("\xc2\x80\xc2\x9f"), "  ");
}

TEST(PrintableTest, ReplacesInvalidUtf8) {
  // A lone C1 byte (an 8-bit CSI), a truncated sequence, an overlong form.
  EXPECT_EQ(Printable("a\x9b" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(Printable("a\xe2\x9c"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Printable("\xc0\x8a"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

class MapContext : public FindingContext {
 public:
  const ObjectInfo* Object(ObjectId id) const override {
    auto it = objects.find(id);
    return it == objects.end() ? nullptr : &it->second;
  }
  const ThreadInfo* Thread(ThreadId id) const override {
    auto it = threads.find(id);
    return it == threads.end() ? nullptr : &it->second;
  }
  std::vector<Frame> Stack(StackId id) const override {
    auto it = stacks.find(id);
    return it == stacks.end() ? std::vector<Frame>{} : it->second;
  }
  std::map<ObjectId, ObjectInfo> objects;
  std::map<ThreadId, ThreadInfo> threads;
  std::map<StackId, std::vector<Frame>> stacks;
};

TEST(PrintableContextTest, EveryNameIsPrintable) {
  MapContext trace;
  ObjectInfo object;
  object.id = 1;
  object.name = "a\nb";
  object.class_name = "c\x1b";
  object.created = {"f\r.cc", "g\x7f", 3};
  trace.objects[1] = object;
  ThreadInfo thread;
  thread.id = 2;
  thread.name = "t\xc2\x9b";
  trace.threads[2] = thread;
  Frame frame;
  frame.pc = 0x10;
  frame.function = "fn\n";
  frame.file = "x\x1b.cc";
  frame.module = "m\x07";
  trace.stacks[3] = {frame};

  const PrintableContext context(trace);
  const ObjectInfo* o = context.Object(1);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->name, "a b");
  EXPECT_EQ(o->class_name, "c ");
  EXPECT_EQ(o->created.file, "f .cc");
  EXPECT_EQ(o->created.function, "g ");
  EXPECT_EQ(o->created.line, 3u);
  EXPECT_EQ(context.Object(1), o);  // one copy, kept
  EXPECT_EQ(context.Object(9), nullptr);
  const ThreadInfo* t = context.Thread(2);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "t ");
  EXPECT_EQ(context.Thread(9), nullptr);
  const std::vector<Frame> frames = context.Stack(3);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "fn ");
  EXPECT_EQ(frames[0].file, "x .cc");
  EXPECT_EQ(frames[0].module, "m ");
  EXPECT_EQ(frames[0].pc, 0x10u);
  EXPECT_TRUE(context.Stack(9).empty());
}

}  // namespace
}  // namespace lockscope::collector
