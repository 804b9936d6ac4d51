#pragma once
// What a deployment reads of a searched layer whose output channels come from two operator
// branches (Darkside: a standard conv for the first k channels, a depthwise conv for the rest):
// which branch computes each channel of the frozen mapping. The search's nodes implement it, so
// that readers of a trained model need none of the search's node classes.
namespace odimo::mapper {
class Node;
}

namespace odimo::search {

class BranchedLayer {
 public:
  struct Branch {
    mapper::Node* node = nullptr;  // the branch's own node, holding its weights
    bool depthwise = false;
  };
  virtual ~BranchedLayer() = default;
  // The branch that computes output channel `channel` under the layer's frozen assignment.
  virtual Branch branch_of(int channel) = 0;
};

}  // namespace odimo::search
