// The training loop; see epoch_loop.h.
#include "mapper/train/epoch_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "mapper/data/batch_queue.h"
#include "mapper/ops/ops_misc.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

std::mt19937_64 stream_rng(uint64_t seed, int epoch, int stream) {
  std::seed_seq s{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), uint32_t(stream)};
  return std::mt19937_64(s);
}

}  // namespace

EpochOrder epoch_order(SeedingRule rule, uint64_t seed, int epoch, int examples) {
  EpochOrder o;
  o.order.resize(size_t(std::max(0, examples)));
  std::iota(o.order.begin(), o.order.end(), 0);
  if (rule == SeedingRule::kTrain) {
    std::mt19937_64 shuffle = stream_rng(seed, epoch, 1);
    std::shuffle(o.order.begin(), o.order.end(), shuffle);
    o.augment = stream_rng(seed, epoch, 2);
  } else {
    o.augment = std::mt19937_64(seed * 1000003 + uint64_t(epoch));
    std::shuffle(o.order.begin(), o.order.end(), o.augment);
  }
  return o;
}

int64_t epoch_steps(int examples, int batch, int limit) {
  const int64_t full = (int64_t(examples) + batch - 1) / batch;
  return limit > 0 ? std::min<int64_t>(full, limit) : full;
}

EpochTally run_epoch(Epoch& ep) {
  using Clock = std::chrono::steady_clock;
  const Dataset& d = ep.data.train;
  const int batch = ep.batch;
  EpochTally t;
  Tape tape;
  const auto t0 = Clock::now();
  BatchQueue queue(ep.steps, batch, d.input().elements(), [&](int64_t s, Batch& b) {
    b.n = std::min<int>(batch, d.size() - int(s * batch));
    fill_batch(d, ep.draws.order.data() + s * batch, b.n, ep.data.mean, ep.data.stddev, ep.augment,
               ep.draws.augment, ep.seed, ep.epoch, b.x.data(), b.y.data());
  });
  for (int64_t s = 0; s < ep.steps; ++s) {
    const Batch& b = queue.next();
    const Activation& logits = ep.model.forward(b.x.data(), b.n, true, &tape);
    int right = 0;
    const double loss = softmax_cross_entropy(b.n, ep.model.classes(), logits.value.data(), b.y.data(),
                                              ep.model.logits_grad(), &right);
    if (!std::isfinite(loss)) throw Error(ep.divergence(s + 1, loss));
    ep.model.zero_grad();
    ep.model.backward(tape);
    ep.update(s, ep.steps);
    t.loss_sum += loss * b.n, t.correct += right, t.seen += b.n;
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (ep.progress) ep.progress->step(s + 1, ep.steps, t);
  }
  t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (ep.progress) ep.progress->end(ep.steps, t);
  return t;
}

}  // namespace odimo::mapper
