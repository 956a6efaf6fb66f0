// model/worker_pool: a fixed set of threads that share out the iterations
// of one loop: the tiles of the tiled search (every tile of a frame is an
// independent inference, pipeline/), and the row ranges of one large layer
// (Interpreter::SetThreads). Created once; ParallelFor does not allocate, so
// it may run on the hot path.
//
// Worker 0 is the calling thread; workers 1..size()-1 are owned threads that
// sleep between loops. Iterations are claimed one at a time from a shared
// counter, so a slow worker (the other core busy decoding video) simply
// takes fewer of them; which worker runs which iteration varies, so the work
// must not depend on it beyond using per-worker resources.
//
// The caller waits only for iterations that have been claimed: a helper that
// is not running yet (asleep, or descheduled on a busy machine) claims
// nothing and is not waited for, so a loop never costs a scheduler wake-up
// on its critical path. The claim counter carries the loop's generation, so
// a helper that arrives late can only claim iterations of the current loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vww {

class WorkerPool {
 public:
  explicit WorkerPool(int workers);  // >= 1; 1 means no threads at all
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()) + 1; }

  // Calls fn(worker, i) once for every i in [0, count) and returns when all
  // calls have returned. If calls throw, the first exception is rethrown
  // here, on the calling thread, once the others are done (iterations not
  // yet started then are skipped). One loop at a time (not reentrant, not
  // for concurrent callers).
  template <typename Fn>
  void ParallelFor(int count, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    Run(
        count, [](void* f, int worker, int i) { (*static_cast<F*>(f))(worker, i); },
        static_cast<void*>(&fn));
  }

 private:
  using Task = void (*)(void* context, int worker, int index);
  void Run(int count, Task task, void* context);
  void Work(int worker);
  void Loop(int worker);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_;
  // The current loop: written by the caller before it publishes the loop in
  // claim_, read by helpers before they claim (see Work).
  std::atomic<Task> task_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<int> count_{0};
  // generation << 32 | next unclaimed iteration.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};      // iterations of the current loop finished
  std::atomic<int> sleepers_{0};  // helpers waiting on start_
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;  // the first exception of the current loop (under mutex_)
};

// The number of workers `--threads 0` (auto) means: the machine's cores, at
// most `cap`.
int AutoWorkerCount(int cap);

}  // namespace vww
