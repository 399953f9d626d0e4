// A small persistent thread pool: parallel_for(n, fn) runs fn(task, worker) for task in [0, n) on the pool's
// threads plus the caller, handing tasks out one at a time (tasks may differ in size).
#pragma once
#include <functional>

namespace tfr {

// Number of threads kernels use (the caller included): TFJS_RESTORATION_THREADS, else the hardware's count.
int num_threads();
void set_num_threads(int n);

// Runs fn(task, worker) for every task; worker is in [0, num_threads()). Blocks until all are done. Exceptions
// thrown by fn are rethrown in the caller (the first one).
void parallel_for(int tasks, const std::function<void(int task, int worker)>& fn);

}  // namespace tfr
