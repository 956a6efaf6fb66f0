#include "model/worker_pool.h"

#include <sched.h>

#include <algorithm>
#include <chrono>

namespace vww {

namespace {

// How long a thread keeps checking before it sleeps on a condition
// variable: a frame's loops follow each other at once (the tiles right after
// their DSP), and waking a sleeping thread costs tens of microseconds on a
// VM, a visible share of a millisecond frame. Between frames the threads
// sleep.
constexpr auto kSpin = std::chrono::microseconds(200);

// Polls done() (yielding the core) for up to kSpin; true if it became true.
template <typename Done>
bool SpinUntil(Done done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

WorkerPool::WorkerPool(int workers) {
  for (int w = 1; w < workers; ++w) threads_.emplace_back([this, w] { Loop(w); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_release);
  }
  start_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Run(int count, Task task, void* context) {
  if (count <= 0) return;
  if (threads_.empty() || count == 1) {
    for (int i = 0; i < count; ++i) task(context, 0, i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task;
    context_ = context;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    failed_.store(false, std::memory_order_relaxed);
    error_ = nullptr;
    busy_.store(static_cast<int>(threads_.size()), std::memory_order_relaxed);
    generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  start_.notify_all();
  Work(0);
  // The helpers may still be finishing their last iteration.
  SpinUntil([this] { return busy_.load(std::memory_order_acquire) == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return busy_.load(std::memory_order_acquire) == 0; });
  if (error_) std::rethrow_exception(error_);
}

void WorkerPool::Work(int worker) {
  while (!failed_.load(std::memory_order_relaxed)) {
    const int i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= count_) return;
    try {
      task_(context_, worker, i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
}

void WorkerPool::Loop(int worker) {
  unsigned seen = 0;
  for (;;) {
    SpinUntil([&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stop_.load(std::memory_order_acquire);
    });
    std::unique_lock<std::mutex> lock(mutex_);
    start_.wait(lock, [&] {
      return stop_.load(std::memory_order_relaxed) ||
             generation_.load(std::memory_order_relaxed) != seen;
    });
    if (stop_.load(std::memory_order_relaxed)) return;
    seen = generation_.load(std::memory_order_relaxed);
    lock.unlock();
    Work(worker);  // task_, context_ and count_ were published under the mutex
    lock.lock();
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_one();
  }
}

int AutoWorkerCount(int cap) {
  // The cores this process may run on (taskset, container limits), not all
  // the machine has.
  cpu_set_t set;
  int cores = 0;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min(cap, cores));
}

}  // namespace vww
