// The prefetching producer (see batch_queue.h).
#include "mapper/data/batch_queue.h"

#include "proto/error.h"

namespace odimo::mapper {

BatchQueue::BatchQueue(int64_t steps, int batch, int64_t image_elements, Fill fill, int depth)
    : m_steps(steps), m_depth(std::max(1, depth)), m_fill(std::move(fill)), m_slots(size_t(m_depth) + 1) {
  for (Batch& b : m_slots) {
    b.x.resize(size_t(batch) * size_t(image_elements));
    b.y.resize(size_t(batch));
  }
  m_thread = std::thread(&BatchQueue::produce, this);
}

BatchQueue::~BatchQueue() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

void BatchQueue::produce() {
  for (int64_t step = 0; step < m_steps; ++step) {
    {
      // Slot step % (depth + 1) is free once the consumer has moved past step - depth - 1.
      std::unique_lock<std::mutex> lock(m_mutex);
      m_cv.wait(lock, [&] { return m_stop || step < m_taken + m_depth; });
      if (m_stop) return;
    }
    try {
      m_fill(step, m_slots[size_t(step % (m_depth + 1))]);
    } catch (...) {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_error = std::current_exception();
      m_cv.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_ready = step + 1;
    }
    m_cv.notify_all();
  }
}

const Batch& BatchQueue::next() {
  std::unique_lock<std::mutex> lock(m_mutex);
  if (m_taken >= m_steps) throw Error("internal: batch queue read past its last step");
  if (m_ready <= m_taken && !m_error) ++m_waits;
  m_cv.wait(lock, [&] { return m_ready > m_taken || m_error; });
  if (m_ready <= m_taken) std::rethrow_exception(m_error);
  const Batch& b = m_slots[size_t(m_taken % (m_depth + 1))];
  ++m_taken;
  lock.unlock();
  m_cv.notify_all();
  return b;
}

}  // namespace odimo::mapper
