#include "tests/viewer/cli_fixture.h"

namespace lockscope::viewer::test_traces {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

TEST(GraphTest, DotHighlightsCyclesGatesAndSharedEnds) {
  const CliResult result = RunCli({"graph", BankTrace()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string& dot = result.out;
  EXPECT_THAT(dot, HasSubstr("digraph lockscope {"));
  EXPECT_THAT(dot, HasSubstr("\"n1\" [label=\"accounts\\nmutex\""));
  EXPECT_THAT(dot, ContainsRegex("\"n1\" -> \"n2\" \\[[^]]*color=red"));
  EXPECT_THAT(dot, ContainsRegex("\"n2\" -> \"n1\" \\[[^]]*color=red"));
  EXPECT_THAT(dot, ContainsRegex("\"n4\" -> \"n5\" \\[[^]]*style=dashed"));
  EXPECT_THAT(dot, ContainsRegex("\"n3\" \\[label=\"gate[^]]*doublecircle"));
  EXPECT_THAT(dot, ContainsRegex("\"n6\" -> \"n1\" \\[[^]]*taillabel=\"shared\""));
  EXPECT_THAT(dot, HasSubstr("src/account.h:7 #8"));
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_THAT(dot, HasSubstr("}\n"));
}

TEST(GraphTest, CrossProcessCycleAndNoIsolatedLocks) {
  const std::string a = TempPath("a.lstrace");
  const std::string b = TempPath("b.lstrace");
  WriteHalfInversion(a, 11, true);
  WriteHalfInversion(b, 22, false);
  const CliResult result = RunCli({"graph", a, b});
  EXPECT_EQ(result.exit_code, 0);
  // Both edges of the inversion are red.
  size_t red = 0;
  for (size_t at = 0; (at = result.out.find(", color=red", at)) != std::string::npos;
       ++at) {
    ++red;
  }
  EXPECT_EQ(red, 2u);
  EXPECT_THAT(result.out, HasSubstr("left"));
  EXPECT_THAT(result.out, ::testing::Not(HasSubstr("unrelated")));
}

TEST(GraphTest, JsonNodesAndEdges) {
  const CliResult result = RunCli({"graph", "--format=json", BankTrace()});
  EXPECT_EQ(result.exit_code, 0);
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  const Json* nodes = json->Get("nodes");
  const Json* edges = json->Get("edges");
  ASSERT_TRUE(nodes && nodes->is_array());
  ASSERT_TRUE(edges && edges->is_array());
  EXPECT_EQ(edges->array.size(), 7u);
  int red = 0;
  for (const Json& edge : edges->array) {
    for (const char* key : {"from", "to", "count", "gates", "cycle"}) {
      EXPECT_NE(edge.Get(key), nullptr) << key;
    }
    if (edge.Get("cycle")->string == "cycle") ++red;
  }
  EXPECT_EQ(red, 2);
  bool gate = false;
  for (const Json& node : nodes->array) {
    ASSERT_NE(node.Get("name"), nullptr);
    if (node.Get("name")->string == "gate") gate = node.Get("gate")->boolean;
  }
  EXPECT_TRUE(gate);
}

TEST(GraphTest, ClassesCollapseInstances) {
  const CliResult result =
      RunCli({"graph", "--classes", "--format=json", BankTrace()});
  std::unique_ptr<Json> json = MustParse(result.out);
  ASSERT_NE(json, nullptr);
  std::vector<std::string> names;
  for (const Json& node : json->Get("nodes")->array) {
    names.push_back(node.Get("name")->string);
  }
  EXPECT_EQ(std::count(names.begin(), names.end(), "src/account.h:7"), 1);
  bool class_cycle = false;
  for (const Json& edge : json->Get("edges")->array) {
    if (edge.Get("from")->string == "src/account.h:7" &&
        edge.Get("to")->string == "src/branch.h:3") {
      class_cycle = edge.Get("cycle")->string == "cycle";
    }
  }
  EXPECT_TRUE(class_cycle);
  const CliResult dot = RunCli({"graph", "--classes", BankTrace()});
  EXPECT_THAT(dot.out, HasSubstr("mutex x2"));
}

}  // namespace
}  // namespace lockscope::viewer::test_traces
