#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tfr {
namespace {

int default_threads() {
  if (const char* env = std::getenv("TFJS_RESTORATION_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1 && n <= 256) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// How long a thread that ran out of work keeps checking for more before it sleeps on a condition variable (a worker
// for the next run, the caller for the workers to finish). Kernels start runs back to back (a convolution's
// transforms and GEMMs) or a few dozen microseconds of JavaScript apart; waking a sleeping thread takes tens of
// microseconds more, hundreds of times per network pass, during which the other cores wait.
constexpr std::chrono::microseconds kSpin{200};

// Calls done() until it returns true or kSpin has passed (the caller then sleeps until done() holds).
template <class F>
void spin_until(F&& done) {
  const auto end = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0; !done(); ++i) {
    if ((i & 63) == 63) {
      if (std::chrono::steady_clock::now() >= end) return;
      std::this_thread::yield();
    }
  }
}

class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    std::lock_guard<std::mutex> turn(run_mu_);
    stop();
    std::lock_guard<std::mutex> lock(mu_);
    quit_.store(false);
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { loop(); });
  }

  void run(int tasks, const std::function<void(int)>& fn) {
    if (tasks <= 0) return;
    // Inline: one task, no workers, or a call from inside a task (the pool is busy with the outer one).
    if (workers_.empty() || tasks == 1 || in_task) {
      for (int t = 0; t < tasks; ++t) fn(t);
      return;
    }
    // One run at a time: callers on several JavaScript threads (worker_threads) take turns.
    std::lock_guard<std::mutex> turn(run_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    fn_ = &fn;
    tasks_ = tasks;
    next_.store(0);
    pending_.store(static_cast<int>(workers_.size()));
    error_ = nullptr;
    generation_.fetch_add(1, std::memory_order_release);
    lock.unlock();
    cv_.notify_all();
    work();
    const auto finished = [this] { return pending_.load(std::memory_order_acquire) == 0; };
    spin_until(finished);
    lock.lock();
    done_cv_.wait(lock, finished);
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work() {
    in_task = true;
    for (;;) {
      int t = next_.fetch_add(1);
      if (t >= tasks_) break;
      try {
        (*fn_)(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(err_mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
    in_task = false;
  }

  void loop() {
    unsigned long seen = 0;
    for (;;) {
      const auto ready = [&] {
        return quit_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
      };
      spin_until(ready);
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, ready);
      if (quit_.load()) return;
      seen = generation_.load();
      lock.unlock();
      work();
      // The caller checks pending_ under mu_ before it sleeps, so notifying under mu_ cannot be missed.
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        lock.lock();
        done_cv_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_.store(true);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  static thread_local bool in_task;
  std::vector<std::thread> workers_;
  std::mutex mu_, err_mu_, run_mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int)>* fn_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
  std::atomic<int> pending_{0};
  std::atomic<unsigned long> generation_{0};
  std::atomic<bool> quit_{false};
  std::exception_ptr error_;
};

thread_local bool Pool::in_task = false;

Pool& pool() {
  // Never destroyed: joining threads from a static destructor at process exit can deadlock.
  static Pool* p = new Pool(default_threads());
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n != pool().size()) pool().resize(n);
}

namespace detail {
void run_tasks(int tasks, const std::function<void(int)>& fn) { pool().run(tasks, fn); }
}  // namespace detail

}  // namespace tfr
