// Persistent worker threads with spin-then-yield waits (see thread_pool.h).
#include "mapper/tensor/thread_pool.h"

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
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
    m_generation.fetch_add(1);
  }
  m_wake.notify_all();
  for (auto& w : m_workers) w.join();
}

void ThreadPool::grow(int workers) {
  while (int(m_workers.size()) < workers) {
    const int id = int(m_workers.size()) + 1;
    m_workers.emplace_back([this, id] { work(id); });
  }
}

void ThreadPool::run(int threads, void (*task)(void*, int), void* context) {
  if (threads <= 1) {
    task(context, 0);
    return;
  }
  grow(threads - 1);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_task = task, m_context = context, m_threads = threads;
    m_pending.store(threads - 1);
    m_generation.fetch_add(1);
  }
  m_wake.notify_all();
  task(context, 0);
  for (int spin = 0; m_pending.load(std::memory_order_acquire) > 0; ++spin)
    if (spin < kSpinBeforeSleep)
      relax();
    else
      std::this_thread::yield();  // let a descheduled worker have this core
}

void ThreadPool::work(int id) {
  uint64_t seen = 0;
  for (;;) {
    int spin = 0;
    while (m_generation.load(std::memory_order_acquire) == seen && spin++ < kSpinBeforeSleep) relax();
    if (m_generation.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait(lock, [&] { return m_generation.load() != seen; });
    }
    void (*task)(void*, int);
    void* context;
    int threads;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_stop) return;
      seen = m_generation.load();
      task = m_task, context = m_context, threads = m_threads;
    }
    if (id < threads) {
      task(context, id);
      m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

}  // namespace odimo::mapper
