#pragma once
// The mapper's tensors: NHWC activation buffers (value + gradient), named
// parameters with their optimizer group, per-thread scratch and the one way
// ops split a batch over threads. Layout conventions (mapper/README.md "Speed"):
//   activations  (N,H,W,C) row-major, channels fastest;
//   conv weights per group a col-major [Cout_g, K] matrix, K ordered (ky,kx,cin),
//                i.e. memory (ky,kx,cin,cout) for groups = 1 (TensorFlow's HWIO);
//   depthwise    (ky,kx,C);   linear  col-major [Out, In], i.e. memory (in,out).
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "mapper/tensor/thread_pool.h"

namespace odimo::mapper {

// Activation extents: images, rows, columns, channels.
struct Dims {
  int n = 0, h = 0, w = 0, c = 0;
  int64_t image() const { return int64_t(h) * w * c; }
  int64_t size() const { return n * image(); }
  bool operator==(const Dims& o) const { return n == o.n && h == o.h && w == o.w && c == o.c; }
};

// A layer output and the loss gradient with respect to it (same shape).
struct Activation {
  Dims dims;
  std::vector<float> value, grad;
  // Keeps capacity when shrinking, so the last (smaller) batch does not reallocate.
  void resize(const Dims& d) {
    dims = d;
    value.resize(d.size());
    grad.resize(d.size());
  }
};

// Optimizer groups: each has its own learning rate (the ODiMO search trains
// weights, quantizer parameters and architecture logits at different rates).
enum class ParamGroup { kWeights = 0, kQuantizer = 1, kArchitecture = 2 };
constexpr int kParamGroups = 3;

struct Parameter {
  std::string name;  // "<layer>.weight", "<layer>.wq.scale", ...
  std::vector<int> shape;
  std::vector<float> value, grad;
  ParamGroup group = ParamGroup::kWeights;
  bool decay = true;  // weight decay applies

  Parameter(std::string n, std::vector<int> s, ParamGroup g = ParamGroup::kWeights, bool d = true);
  int64_t size() const { return int64_t(value.size()); }
};

// Which output channel weight element i belongs to. Weights are stored as
// blocks of `block` elements (one per conv group), each col-major with
// `block_channels` rows: channel(i) = (i / block) * block_channels + i % block_channels.
struct ChannelLayout {
  int64_t size = 0;
  int channels = 0;
  int64_t block = 0;
  int block_channels = 0;
  int channel(int64_t i) const { return int((i / block) * block_channels + i % block_channels); }
  static ChannelLayout single_block(int64_t size, int channels) { return {size, channels, size, channels}; }
};

// Non-trained state saved in checkpoints (batch-norm running statistics).
struct Buffer {
  std::string name;
  std::vector<float> value;
};

// Per-thread scratch vectors that only grow: ops borrow them per call, so a
// training step allocates nothing once the first step has run.
// Threads only touch their own slots, and the outer vector never resizes, so
// get() is safe inside a parallel region.
constexpr int kMaxThreads = 256;

template <class T>
class Scratch {
 public:
  Scratch() : m_buffers(size_t(kMaxThreads) * kSlots) {}
  T* get(int thread, int slot, size_t n) {
    std::vector<T>& b = m_buffers[size_t(thread) * kSlots + slot];
    if (b.size() < n) b.resize(n);
    return b.data();
  }
  static constexpr int kSlots = 5;

 private:
  std::vector<std::vector<T>> m_buffers;
};

// Below this many elements (or MACs) an op runs its thread shares one after the
// other on the calling thread: a parallel region costs microseconds, and far more
// when the other core is busy. Results are identical either way.
constexpr int64_t kParallelMinWork = 1 << 16;

// Runs f(t) for t = 0..threads-1, one pool thread each when threads > 1 and
// `work` is large enough. Work is assigned by t, so results depend on `threads`
// only, never on scheduling.
template <class F>
void for_each_thread(int threads, F&& f, int64_t work = kParallelMinWork) {
  if (threads <= 1 || work < kParallelMinWork) {
    for (int t = 0; t < std::max(1, threads); ++t) f(t);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  ThreadPool::instance().run(
      threads, [](void* f, int t) { (*static_cast<Fn*>(f))(t); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

// Images [first, last) of thread t's static share of n.
inline int share_begin(int n, int t, int threads) {
  return int(int64_t(n) * t / threads);
}
inline int share_end(int n, int t, int threads) {
  return int(int64_t(n) * (t + 1) / threads);
}

}  // namespace odimo::mapper
