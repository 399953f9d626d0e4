// The addon's thread pool, and the one way kernels split work over it: for_blocks cuts the items [0, n) into
// near-equal contiguous blocks (a Blocks split) and runs a function on each block, on the pool's threads plus the
// caller, handing blocks out one at a time (so they may differ in cost). A kernel sizes its blocks from the work per
// item (block_for) or from its own layout (a tile, a GEMM panel); a 2-D task grid is n tasks in blocks of one.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>

namespace tfr {

// Number of threads kernels use (the caller included): TFJS_RESTORATION_THREADS, else the hardware's count.
int num_threads();
void set_num_threads(int n);

// Elements (floats read or written) a block should cover: big enough that the pool's hand-off (a few
// microseconds) is noise, small enough to balance two to a few dozen threads on a 4M-element activation.
constexpr int64_t kBlockElements = 32 * 1024;

// At most this many blocks in a split.
constexpr int64_t kMaxBlocks = 4096;

// Floats in a 64-byte cache line: blocks aligned to it write no line that a neighbouring block also writes.
constexpr int64_t kLineFloats = 16;

// Items per block when each item touches `item_elements` elements (at least one item).
inline int64_t block_for(int64_t item_elements) {
  return std::max<int64_t>(1, kBlockElements / std::max<int64_t>(item_elements, 1));
}

// A split of the items [0, n) into count() contiguous, non-empty blocks of near-equal size: as many as blocks of
// `block` items would need (at most kMaxBlocks), every one starting at a multiple of `align`. Block t covers
// [begin(t), end(t)). The split depends only on n, block and align, never on the thread count, so per-block state
// (partial sums combined in block order) gives the same result on any number of threads.
class Blocks {
 public:
  Blocks(int64_t n, int64_t block, int64_t align = 1)
      : n_(std::max<int64_t>(n, 0)), align_(std::max<int64_t>(align, 1)), units_((n_ + align_ - 1) / align_) {
    const int64_t b = std::max<int64_t>(block, 1);
    count_ = std::min({(n_ + b - 1) / b, units_, kMaxBlocks});
  }
  int64_t count() const { return count_; }
  int64_t begin(int64_t t) const { return std::min(n_, units_ * t / count_ * align_); }
  int64_t end(int64_t t) const { return begin(t + 1); }

 private:
  int64_t n_, align_, units_, count_;
};

namespace detail {
// Runs fn(task) for every task in [0, tasks) on the pool, the caller included; blocks until all are done.
// Exceptions thrown by fn are rethrown in the caller (the first one). Inline when the pool has one thread, for one
// task, and when called from inside a task. Kernels call for_blocks, not this.
void run_tasks(int tasks, const std::function<void(int task)>& fn);
}  // namespace detail

// Runs fn(begin, end) -- or fn(t, begin, end), with the block's index t, for per-block state -- for every block of
// `blocks`: on the thread pool when there is more than one, inline otherwise. Blocks until all are done; the first
// exception thrown by fn is rethrown here.
template <class F>
void for_blocks(const Blocks& blocks, F&& fn) {
  auto call = [&](int64_t t) {
    if constexpr (std::is_invocable_v<F&, int64_t, int64_t, int64_t>) {
      fn(t, blocks.begin(t), blocks.end(t));
    } else {
      fn(blocks.begin(t), blocks.end(t));
    }
  };
  if (blocks.count() == 0) return;
  if (blocks.count() == 1) {
    call(0);
    return;
  }
  detail::run_tasks(static_cast<int>(blocks.count()), [&](int t) { call(t); });
}

// for_blocks over Blocks(n, block): fn(begin, end) for blocks of about `block` of the items [0, n).
template <class F>
void for_blocks(int64_t n, int64_t block, F&& fn) {
  for_blocks(Blocks(n, block), std::forward<F>(fn));
}

}  // namespace tfr
