// The training loop (mapper/train/epoch_loop.h): the two seeding rules, one epoch's steps,
// updates and progress, and a diverging step.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "mapper/train/epoch_loop.h"
#include "mapper/train/optim.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

std::vector<int> shuffled(int n, std::mt19937_64& rng) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

TEST_CASE("epoch_order: odimo train's and odimo search's seeding rules, as the reference results were made") {
  const uint64_t seed = 0x123456789ull;
  const int epoch = 3, n = 50;
  // odimo train: the shuffle from stream 1 of (seed, epoch), the augmentation from stream 2
  std::seed_seq s1{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), 1u};
  std::seed_seq s2{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), 2u};
  std::mt19937_64 shuffle(s1), augment(s2);
  EpochOrder train = epoch_order(SeedingRule::kTrain, seed, epoch, n);
  CHECK(train.order == shuffled(n, shuffle));
  CHECK(train.augment() == augment());
  // odimo search: one generator shuffles, then draws the augmentation
  std::mt19937_64 one(seed * 1000003 + epoch);
  EpochOrder search = epoch_order(SeedingRule::kSearch, seed, epoch, n);
  CHECK(search.order == shuffled(n, one));
  CHECK(search.augment() == one());
  // another epoch, another order
  CHECK(epoch_order(SeedingRule::kTrain, seed, epoch + 1, n).order != train.order);
  CHECK(epoch_order(SeedingRule::kSearch, seed, epoch + 1, n).order != search.order);
}

TEST_CASE("epoch_steps: every image once, or the epoch cut at the limit") {
  CHECK(epoch_steps(40, 16, 0) == 3);
  CHECK(epoch_steps(48, 16, 0) == 3);
  CHECK(epoch_steps(40, 16, 2) == 2);
  CHECK(epoch_steps(40, 16, 5) == 3);
}

DataSplits synthetic_splits(int images) {
  DataSplits d;
  d.train = make_synthetic({1, 8, 8}, 4, images, 3);
  d.mean = {0.5f};
  d.stddev = {0.25f};
  return d;
}

// Counts what the loop reports.
struct CountingProgress : EpochProgress {
  int steps = 0, ends = 0;
  int64_t last_done = 0, seen_at_end = 0;
  void step(int64_t done, int64_t, const EpochTally&) override { ++steps, last_done = done; }
  void end(int64_t, const EpochTally& t) override { ++ends, seen_at_end = t.seen; }
};

TEST_CASE(
    "run_epoch: each step trains on its batch, then the caller's update; progress per step and at the end") {
  const DataSplits data = synthetic_splits(40);
  Model model(load_network("tiny"), ModelOptions{Quantization{}, 1, 1});
  GroupHyper h;
  Optimizer opt(OptimizerKind::kSgd, model.parameters(), {h, h, h});
  CountingProgress progress;
  std::vector<int64_t> updates;
  Epoch ep(model, data);
  ep.batch = 16, ep.steps = epoch_steps(40, 16, 0), ep.seed = 1, ep.epoch = 1;
  ep.draws = epoch_order(SeedingRule::kTrain, 1, 1, 40);
  ep.divergence = [](int64_t, double) { return std::string("diverged"); };
  ep.update = [&](int64_t s, int64_t steps) {
    CHECK(steps == 3);
    updates.push_back(s);
    opt.step(1.0);
  };
  ep.progress = &progress;
  const EpochTally t = run_epoch(ep);
  CHECK(updates == std::vector<int64_t>{0, 1, 2});
  CHECK(opt.steps() == 3);
  CHECK(t.seen == 40);  // 16 + 16 + 8
  CHECK(t.correct >= 0);
  CHECK(t.correct <= 40);
  CHECK(std::isfinite(t.loss()));
  CHECK(t.loss() > 0);
  CHECK(progress.steps == 3);
  CHECK(progress.last_done == 3);
  CHECK(progress.ends == 1);
  CHECK(progress.seen_at_end == 40);
}

TEST_CASE("run_epoch: a non-finite loss stops the epoch with the caller's line, naming the step") {
  const DataSplits data = synthetic_splits(32);
  Model model(load_network("tiny"), ModelOptions{Quantization{}, 1, 1});
  Epoch ep(model, data);
  ep.batch = 16, ep.steps = 2, ep.seed = 1, ep.epoch = 1;
  ep.draws = epoch_order(SeedingRule::kSearch, 1, 1, 32);
  ep.divergence = [](int64_t step, double loss) {
    return "diverged at step " + std::to_string(step) + (std::isnan(loss) ? " (NaN)" : "");
  };
  int updates = 0;
  ep.update = [&](int64_t, int64_t) {  // poisons the weights after the first step
    ++updates;
    for (Parameter* p : model.parameters()) std::fill(p->value.begin(), p->value.end(), NAN);
  };
  CHECK_THROWS_WITH_AS(run_epoch(ep), "diverged at step 2 (NaN)", Error);
  CHECK(updates == 1);
}

}  // namespace
}  // namespace odimo::mapper
