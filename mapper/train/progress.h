#pragma once
// Progress displays on stderr: the running tally of a training epoch, the interface through
// which the training loop (epoch_loop.h) reports it, `odimo train`'s per-epoch bar and the bar
// itself (also `odimo deploy`'s image count). `odimo search` reports no running tally: it prints
// one line per epoch once the epoch is validated and costed (mapper/search/search_run.cpp).
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace odimo::mapper {

// What an epoch has trained on so far.
struct EpochTally {
  double loss_sum = 0;  // sum over images of the cross-entropy
  int64_t correct = 0, seen = 0;
  double seconds = 0;  // since the epoch's first step
  double loss() const;
  double accuracy() const;
  double images_per_second() const;
};

// Told after every step of an epoch and once after the last.
class EpochProgress {
 public:
  virtual ~EpochProgress() = default;
  virtual void step(int64_t done, int64_t steps, const EpochTally& so_far) = 0;
  virtual void end(int64_t steps, const EpochTally& epoch) = 0;
};

// "[#####...............]": `done` of `total` in `width` characters.
std::string progress_bar(int64_t done, int64_t total, int width = 20);

// `odimo train`'s line, redrawn in place on a terminal (at most every 0.25 s), else written once
// at the epoch's end, without a newline (validation follows on the same line):
// epoch 2/5 [##########..........] 211/422  loss 0.4123  acc 85.02%  1893 img/s
class EpochBar : public EpochProgress {
 public:
  EpochBar(std::ostream& out, bool enabled, int epoch, int epochs);
  void step(int64_t done, int64_t steps, const EpochTally& so_far) override;
  void end(int64_t steps, const EpochTally& epoch) override;

 private:
  void draw(int64_t done, int64_t steps, const EpochTally& t);
  std::ostream& m_out;
  bool m_enabled, m_tty;
  int m_epoch, m_epochs;
  std::chrono::steady_clock::time_point m_last{};
};

}  // namespace odimo::mapper
