#pragma once
// The threads a batch is split over. A persistent pool instead of OpenMP
// regions: on a 2-core machine shared with other work, an OpenMP barrier that
// spins while its partner thread is descheduled can cost a whole time slice per
// op (measured: 121 images/s with libgomp's default spinning against 347 with
// passive waiting, under load). Here a waiting thread spins briefly, then
// yields its core, and idle workers sleep on a condition variable.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace odimo::mapper {

class ThreadPool {
 public:
  // The process-wide pool; grows to the largest `threads` ever asked for.
  static ThreadPool& instance();
  ~ThreadPool();
  // Calls task(context, t) for t = 0..threads-1 concurrently (t = 0 on the caller)
  // and returns when all have finished.
  void run(int threads, void (*task)(void* context, int t), void* context);

 private:
  void grow(int workers);
  void work(int id);

  std::vector<std::thread> m_workers;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::atomic<uint64_t> m_generation{0};
  std::atomic<int> m_pending{0};
  void (*m_task)(void*, int) = nullptr;
  void* m_context = nullptr;
  int m_threads = 0;
  bool m_stop = false;
};

}  // namespace odimo::mapper
