// Tests for collector/analysis/lock_graph.h: cycle refusal at any length,
// acyclic insertions, removal without phantom edges, and a randomized
// comparison against a naive reachability model.
#include "collector/analysis/lock_graph.h"

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lockscope::collector::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

class LockGraphCycleTest : public ::testing::TestWithParam<int> {};

TEST_P(LockGraphCycleTest, ClosingEdgeIsRefusedAndPathReturned) {
  const int n = GetParam();
  LockGraph graph;
  std::vector<uint64_t> chain;
  for (int i = 0; i < n; ++i) chain.push_back(100 + i);
  for (int i = 0; i + 1 < n; ++i) {
    ASSERT_TRUE(graph.InsertEdge(chain[i], chain[i + 1])) << i;
  }
  EXPECT_FALSE(graph.InsertEdge(chain.back(), chain.front()));
  EXPECT_FALSE(graph.HasEdge(chain.back(), chain.front()));
  EXPECT_EQ(graph.num_edges(), static_cast<size_t>(n - 1));
  EXPECT_THAT(graph.FindPath(chain.front(), chain.back()),
              ElementsAreArray(chain));
  EXPECT_TRUE(graph.TestOnlyCheckInvariants());
}

// The same chain built back to front: every insertion goes against the
// current order, so Pearce–Kelly must reorder each time.
TEST_P(LockGraphCycleTest, ReorderingChainStillRefusesClosingEdge) {
  const int n = GetParam();
  LockGraph graph;
  for (int i = n - 1; i >= 0; --i) graph.AddNode(i);
  for (int i = n - 2; i >= 0; --i) {
    ASSERT_TRUE(graph.InsertEdge(i, i + 1)) << i;
    ASSERT_TRUE(graph.TestOnlyCheckInvariants()) << i;
  }
  EXPECT_FALSE(graph.InsertEdge(n - 1, 0));
  EXPECT_EQ(graph.FindPath(0, n - 1).size(), static_cast<size_t>(n));
  for (int i = 0; i + 1 < n; ++i) {
    EXPECT_LT(graph.Rank(i), graph.Rank(i + 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, LockGraphCycleTest,
                         ::testing::Values(2, 3, 5, 20, 64));

TEST(LockGraphTest, SelfEdgeIsRefused) {
  LockGraph graph;
  EXPECT_FALSE(graph.InsertEdge(7, 7));
  EXPECT_FALSE(graph.HasEdge(7, 7));
}

TEST(LockGraphTest, AcyclicInsertionsAreAccepted) {
  LockGraph graph;
  // A diamond plus a shortcut, inserted in an order that forces reordering.
  EXPECT_TRUE(graph.InsertEdge(4, 5));
  EXPECT_TRUE(graph.InsertEdge(3, 4));
  EXPECT_TRUE(graph.InsertEdge(2, 4));
  EXPECT_TRUE(graph.InsertEdge(1, 2));
  EXPECT_TRUE(graph.InsertEdge(1, 3));
  EXPECT_TRUE(graph.InsertEdge(1, 5));
  EXPECT_TRUE(graph.InsertEdge(1, 5));  // already present
  EXPECT_EQ(graph.num_edges(), 6u);
  EXPECT_TRUE(graph.TestOnlyCheckInvariants());
  EXPECT_TRUE(graph.IsReachable(1, 5));
  EXPECT_FALSE(graph.IsReachable(5, 1));
  EXPECT_THAT(graph.FindPath(1, 5), ElementsAre(1, 5));  // shortest
  EXPECT_FALSE(graph.InsertEdge(5, 2));
  EXPECT_FALSE(graph.InsertEdge(4, 1));
}

TEST(LockGraphTest, RemoveNodeLeavesNoPhantomEdge) {
  LockGraph graph;
  ASSERT_TRUE(graph.InsertEdge(1, 2));
  ASSERT_TRUE(graph.InsertEdge(2, 3));
  ASSERT_FALSE(graph.InsertEdge(3, 1));
  graph.RemoveNode(2);
  EXPECT_FALSE(graph.HasNode(2));
  EXPECT_FALSE(graph.HasEdge(1, 2));
  EXPECT_FALSE(graph.IsReachable(1, 3));
  EXPECT_EQ(graph.num_edges(), 0u);
  // With the middle gone, the reverse edge no longer closes a cycle.
  EXPECT_TRUE(graph.InsertEdge(3, 1));
  // A node re-added under the same id starts with no edges.
  graph.AddNode(2);
  EXPECT_FALSE(graph.HasEdge(1, 2));
  EXPECT_FALSE(graph.HasEdge(2, 3));
  EXPECT_TRUE(graph.InsertEdge(2, 3));
  EXPECT_TRUE(graph.TestOnlyCheckInvariants());
  graph.RemoveNode(42);  // absent: no-op
}

TEST(LockGraphTest, RemoveEdgeAllowsReverseEdge) {
  LockGraph graph;
  ASSERT_TRUE(graph.InsertEdge(1, 2));
  ASSERT_FALSE(graph.InsertEdge(2, 1));
  graph.RemoveEdge(1, 2);
  EXPECT_FALSE(graph.HasEdge(1, 2));
  EXPECT_TRUE(graph.InsertEdge(2, 1));
  EXPECT_TRUE(graph.TestOnlyCheckInvariants());
}

TEST(LockGraphTest, FindPathOnMissingNodesIsEmpty) {
  LockGraph graph;
  ASSERT_TRUE(graph.InsertEdge(1, 2));
  EXPECT_THAT(graph.FindPath(1, 9), IsEmpty());
  EXPECT_THAT(graph.FindPath(9, 1), IsEmpty());
  EXPECT_THAT(graph.FindPath(2, 1), IsEmpty());
}

// Searches use explicit stacks: a very deep chain must not overflow.
TEST(LockGraphTest, DeepChainNeedsNoRecursion) {
  constexpr uint64_t kNodes = 200000;
  LockGraph graph;
  for (uint64_t i = 0; i + 1 < kNodes; ++i)
    ASSERT_TRUE(graph.InsertEdge(i, i + 1));
  EXPECT_FALSE(graph.InsertEdge(kNodes - 1, 0));
  EXPECT_EQ(graph.FindPath(0, kNodes - 1).size(), kNodes);
}

// The naive model: an accepted-edge set and plain DFS reachability.
class NaiveGraph {
 public:
  bool Reaches(uint64_t from, uint64_t to) const {
    std::set<uint64_t> seen{from};
    std::vector<uint64_t> stack{from};
    while (!stack.empty()) {
      const uint64_t n = stack.back();
      stack.pop_back();
      if (n == to) return true;
      for (const auto& [a, b] : edges_) {
        if (a == n && seen.insert(b).second) stack.push_back(b);
      }
    }
    return false;
  }
  bool Insert(uint64_t x, uint64_t y) {
    if (x == y || Reaches(y, x)) return false;
    edges_.insert({x, y});
    return true;
  }
  void Remove(uint64_t n) {
    for (auto it = edges_.begin(); it != edges_.end();) {
      it = (it->first == n || it->second == n) ? edges_.erase(it) : ++it;
    }
  }
  bool Has(uint64_t x, uint64_t y) const { return edges_.contains({x, y}); }
  size_t size() const { return edges_.size(); }

 private:
  std::set<std::pair<uint64_t, uint64_t>> edges_;
};

TEST(LockGraphTest, RandomizedAgainstNaiveModel) {
  constexpr int kNodes = 40;
  constexpr int kOps = 2000;
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> node(0, kNodes - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  LockGraph graph;
  NaiveGraph model;
  int accepted = 0, refused = 0, removed = 0;
  for (int op = 0; op < kOps; ++op) {
    if (percent(rng) < 8) {
      const uint64_t n = node(rng);
      graph.RemoveNode(n);
      model.Remove(n);
      ++removed;
    } else {
      const uint64_t x = node(rng), y = node(rng);
      const bool want = model.Insert(x, y);
      ASSERT_EQ(graph.InsertEdge(x, y), want)
          << "op " << op << ": " << x << " -> " << y;
      if (want) {
        ++accepted;
      } else if (x != y) {
        ++refused;
        // The reported path must be real: consecutive accepted edges.
        const std::vector<uint64_t> path = graph.FindPath(y, x);
        ASSERT_GE(path.size(), 2u);
        EXPECT_EQ(path.front(), y);
        EXPECT_EQ(path.back(), x);
        for (size_t i = 0; i + 1 < path.size(); ++i) {
          EXPECT_TRUE(model.Has(path[i], path[i + 1]));
        }
      }
    }
    ASSERT_TRUE(graph.TestOnlyCheckInvariants()) << "op " << op;
    ASSERT_EQ(graph.num_edges(), model.size()) << "op " << op;
    if (op % 100 == 0) {
      for (uint64_t a = 0; a < kNodes; ++a) {
        for (uint64_t b = 0; b < kNodes; ++b) {
          ASSERT_EQ(graph.HasEdge(a, b), model.Has(a, b));
          if (a != b && graph.HasNode(a) && graph.HasNode(b)) {
            ASSERT_EQ(graph.IsReachable(a, b), model.Reaches(a, b));
          }
        }
      }
    }
  }
  // The mix must exercise every branch, or the test proves little.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(refused, 100);
  EXPECT_GT(removed, 50);
}

}  // namespace
}  // namespace lockscope::collector::internal
