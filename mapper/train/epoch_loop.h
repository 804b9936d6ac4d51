#pragma once
// The training loop: one epoch of shuffled mini-batches through forward, softmax cross-entropy,
// the divergence check, backward and the caller's optimizer step. `odimo train`
// (mapper/train/trainer.cpp) and every training phase of `odimo search`
// (mapper/search/search_run.cpp: warmup, search, fine-tune) run their epochs here; they differ in
// the step (which optimizers, which learning-rate factor, the search's cost gradients), the data
// recipe (augmentation), the seeding rule, the divergence message and the progress display.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "mapper/data/data.h"
#include "mapper/nn/model.h"
#include "mapper/train/progress.h"

namespace odimo::mapper {

// Where an epoch's randomness comes from. Both rules depend only on (seed, epoch), so a run
// resumed after an epoch replays exactly the batches of an uninterrupted run. There are two
// because `odimo train` and `odimo search` were seeded differently from the start, and the
// committed reference results (validation/reference/) are reproducible bit for bit only under
// the rule each was made with; both stay for that reason.
enum class SeedingRule {
  // `odimo train`: the shuffle draws from std::mt19937_64 seeded by the seed_seq
  // {seed low, seed high, epoch, 1}, the augmentation from the same with stream 2.
  kTrain,
  // `odimo search`: one std::mt19937_64(seed * 1000003 + epoch) shuffles, then goes on drawing
  // the augmentation.
  kSearch,
};

// The order an epoch visits the training examples in, and the generator its augmentation draws
// from (fixed-size sets; image folders draw per image from (seed, epoch, index), data.h).
struct EpochOrder {
  std::vector<int> order;
  std::mt19937_64 augment;
};

// 0..examples-1 shuffled under `rule` for `epoch`, and the augmentation generator after it.
EpochOrder epoch_order(SeedingRule rule, uint64_t seed, int epoch, int examples);

// The steps of an epoch over `examples` in batches of `batch`; limit > 0 cuts the epoch there.
int64_t epoch_steps(int examples, int batch, int limit);

// One epoch as its caller sets it up.
struct Epoch {
  Epoch(Model& m, const DataSplits& d) : model(m), data(d) {}
  Model& model;
  const DataSplits& data;  // trains on data.train, normalised by data.mean / data.stddev
  Augment augment;
  int batch = 1;
  int64_t steps = 0;  // epoch_steps(...)
  uint64_t seed = 0;  // with `epoch`: the image folders' per-image crops (fill_batch)
  int epoch = 0;
  EpochOrder draws;
  // The error line of a non-finite loss at step (1-based) `step`; the loop throws it as Error.
  std::function<std::string(int64_t step, double loss)> divergence;
  // After backward: the optimizer step(s) of step `step` (0-based) of `steps`.
  std::function<void(int64_t step, int64_t steps)> update;
  EpochProgress* progress = nullptr;  // null: no progress display
};

// Runs the epoch: batches are cut on a background thread in step order (batch_queue.h), so the
// result does not depend on thread timing. Returns the epoch's training loss, accuracy and images.
EpochTally run_epoch(Epoch& epoch);

}  // namespace odimo::mapper
