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

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  void (*task_)(void*, int) = nullptr;
  void* context_ = nullptr;
  int threads_ = 0;
  bool stop_ = false;
};

}  // namespace odimo::mapper
