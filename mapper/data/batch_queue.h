#pragma once
// Batches made on a background thread ahead of the training step: a bounded queue
// of `depth` batches filled in step order by one producer. The producer calls
// fill(step, batch) for step = 0, 1, ... in order, so a fill that draws from one
// generator draws exactly as a loop in the caller's thread would: the batches do
// not depend on thread timing.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace odimo::mapper {

struct Batch {
  std::vector<float> x;
  std::vector<int> y;
  int n = 0;
};

class BatchQueue {
 public:
  using Fill = std::function<void(int64_t step, Batch& batch)>;
  // `steps` batches of at most `batch` images of `image_elements` floats each.
  BatchQueue(int64_t steps, int batch, int64_t image_elements, Fill fill, int depth = 2);
  ~BatchQueue();  // stops the producer (a batch being filled is finished first)
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // The batch of the next step; valid until the next call. Rethrows the producer's error.
  const Batch& next();
  // Calls to next() that found their batch not ready (0 when the producer keeps ahead).
  int64_t waits() const { return m_waits; }

 private:
  void produce();

  const int64_t m_steps;
  const int m_depth;
  Fill m_fill;
  std::vector<Batch> m_slots;  // depth + 1: the consumer's batch plus `depth` ahead
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int64_t m_ready = 0, m_taken = 0, m_waits = 0;
  bool m_stop = false;
  std::exception_ptr m_error;
  std::thread m_thread;
};

}  // namespace odimo::mapper
