// Persistent worker threads with spin-then-yield waits (see thread_pool.h).
#include "mapper/thread_pool.h"

#include <immintrin.h>

namespace odimo::mapper {
namespace {

// About 50-100 us of spinning before a worker goes to sleep: consecutive ops of
// a training step find it awake, an idle pool costs nothing.
constexpr int kSpinBeforeSleep = 4000;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::grow(int workers) {
  while (int(workers_.size()) < workers) {
    const int id = int(workers_.size()) + 1;
    workers_.emplace_back([this, id] { work(id); });
  }
}

void ThreadPool::run(int threads, void (*task)(void*, int), void* context) {
  if (threads <= 1) {
    task(context, 0);
    return;
  }
  grow(threads - 1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task, context_ = context, threads_ = threads;
    pending_.store(threads - 1);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  task(context, 0);
  for (int spin = 0; pending_.load(std::memory_order_acquire) > 0; ++spin)
    if (spin < kSpinBeforeSleep)
      relax();
    else
      std::this_thread::yield();  // let a descheduled worker have this core
}

void ThreadPool::work(int id) {
  uint64_t seen = 0;
  for (;;) {
    int spin = 0;
    while (generation_.load(std::memory_order_acquire) == seen && spin++ < kSpinBeforeSleep) relax();
    if (generation_.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
    }
    void (*task)(void*, int);
    void* context;
    int threads;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      seen = generation_.load();
      task = task_, context = context_, threads = threads_;
    }
    if (id < threads) {
      task(context, id);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

}  // namespace odimo::mapper
