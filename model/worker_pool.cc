#include "model/worker_pool.h"

#include <sched.h>

#include <algorithm>
#include <chrono>

namespace vww {

namespace {

// How long a helper keeps checking for the next loop before it sleeps on a
// condition variable: a frame's loops (or one inference's split layers)
// follow each other at once, and waking a sleeping thread costs tens of
// microseconds on a VM. Between frames the threads sleep.
constexpr auto kSpin = std::chrono::microseconds(200);

uint32_t Generation(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }

}  // namespace

WorkerPool::WorkerPool(int workers) {
  for (int w = 1; w < workers; ++w) threads_.emplace_back([this, w] { Loop(w); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
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
  // Every iteration of the previous loop has finished, so no helper can
  // claim from it any more: the fields are free to change.
  task_.store(task, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  count_.store(count, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  const uint64_t generation = Generation(claim_.load(std::memory_order_relaxed)) + 1u;
  claim_.store(generation << 32);  // seq_cst: ordered before the sleepers_ load
  if (sleepers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mutex_); }
    start_.notify_all();
  }
  Work(0);
  // Only iterations that a helper is running are left.
  while (done_.load(std::memory_order_acquire) < count) std::this_thread::yield();
  if (failed_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_) std::rethrow_exception(error_);
  }
}

void WorkerPool::Work(int worker) {
  for (;;) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    // Read the loop's fields, then claim with a compare-and-swap on the value
    // they were read under: if it succeeds, the loop was still current (its
    // fields cannot change before all its iterations are claimed and done).
    const Task task = task_.load(std::memory_order_relaxed);
    void* const context = context_.load(std::memory_order_relaxed);
    const int count = count_.load(std::memory_order_relaxed);
    const int i = static_cast<int>(c & 0xFFFFFFFFu);
    if (i >= count) return;
    if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
      continue;
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        task(context, worker, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_release);
      }
    }
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void WorkerPool::Loop(int worker) {
  uint32_t seen = 0;
  for (;;) {
    auto changed = [&] {
      return Generation(claim_.load()) != seen || stop_.load(std::memory_order_acquire);
    };
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (!changed() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    if (!changed()) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);  // seq_cst: ordered before the claim_ load in changed()
      start_.wait(lock, changed);
      sleepers_.fetch_sub(1);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = Generation(claim_.load(std::memory_order_acquire));
    Work(worker);
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
