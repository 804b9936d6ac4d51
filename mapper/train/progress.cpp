// Progress displays; see progress.h.
#include "mapper/train/progress.h"

#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace odimo::mapper {

double EpochTally::loss() const {
  return loss_sum / std::max<int64_t>(1, seen);
}

double EpochTally::accuracy() const {
  return double(correct) / std::max<int64_t>(1, seen);
}

double EpochTally::images_per_second() const {
  return seen / std::max(seconds, 1e-9);
}

std::string progress_bar(int64_t done, int64_t total, int width) {
  const int k = int(width * done / std::max<int64_t>(1, total));
  return "[" + std::string(k, '#') + std::string(width - k, '.') + "]";
}

EpochBar::EpochBar(std::ostream& out, bool enabled, int epoch, int epochs)
    : m_out(out), m_enabled(enabled), m_tty(isatty(STDERR_FILENO)), m_epoch(epoch), m_epochs(epochs) {}

void EpochBar::step(int64_t done, int64_t steps, const EpochTally& so_far) {
  const auto now = std::chrono::steady_clock::now();
  if (!m_enabled || !m_tty || std::chrono::duration<double>(now - m_last).count() < 0.25) return;
  m_last = now;
  draw(done, steps, so_far);
}

void EpochBar::end(int64_t steps, const EpochTally& epoch) {
  if (m_enabled) draw(steps, steps, epoch);
}

void EpochBar::draw(int64_t done, int64_t steps, const EpochTally& t) {
  std::ostringstream s;
  s << "epoch " << m_epoch << "/" << m_epochs << " " << progress_bar(done, steps) << " " << done << "/"
    << steps << "  loss " << std::fixed << std::setprecision(4) << t.loss() << "  acc "
    << std::setprecision(2) << 100 * t.accuracy() << "%  " << std::setprecision(0) << t.images_per_second()
    << " img/s";
  m_out << (m_tty ? "\r" : "") << s.str() << std::flush;
}

}  // namespace odimo::mapper
