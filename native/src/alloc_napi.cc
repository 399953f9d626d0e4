// allocF32(length): a Float32Array whose memory is NOT zeroed, for kernel outputs that write every element, or
// undefined when the pool's budget is spent (the caller then allocates an ordinary typed array).
//
// Why: a fresh JavaScript typed array costs a calloc, i.e. page faults plus zeroing, about 2-5 ms for a 16 MB
// activation, more than many kernels take. Blocks here come from malloc and, once V8 has collected their array and
// Node has run the finalizer (on a later turn of the event loop, e.g. between training steps), go back to a free
// list keyed by size, so the next output of that size reuses memory that is already mapped. All blocks, in use or
// pooled, stay within kBudgetBytes, so memory stays bounded even when no event-loop turn comes for a while.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "napi_util.h"

namespace tfr {
void define(napi_env env, napi_value exports, const char* name, napi_callback cb);

namespace {

constexpr size_t kBudgetBytes = size_t{1} << 30;  // 1 GiB of blocks in use or pooled
constexpr size_t kAlign = 64;

struct Pool {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
  size_t pooled_bytes = 0;
  size_t used_bytes = 0;

  // A block of `bytes`, or nullptr when the budget does not allow one.
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = free_blocks.find(bytes);
    if (it != free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      pooled_bytes -= bytes;
      used_bytes += bytes;
      return p;
    }
    // Make room by freeing pooled blocks of other sizes.
    for (auto f = free_blocks.begin(); f != free_blocks.end() && used_bytes + pooled_bytes + bytes > kBudgetBytes;
         ++f) {
      while (!f->second.empty() && used_bytes + pooled_bytes + bytes > kBudgetBytes) {
        std::free(f->second.back());
        f->second.pop_back();
        pooled_bytes -= f->first;
      }
    }
    if (used_bytes + pooled_bytes + bytes > kBudgetBytes) return nullptr;
    void* p = std::aligned_alloc(kAlign, (bytes + kAlign - 1) / kAlign * kAlign);
    if (p != nullptr) used_bytes += bytes;
    return p;
  }

  // Called by the finalizer: only the mutex, no N-API calls.
  void give(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu);
    used_bytes -= bytes;
    free_blocks[bytes].push_back(p);
    pooled_bytes += bytes;
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: finalizers may run during shutdown
  return *p;
}

// Bytes released by finalizers since the last allocF32, reported to V8 from the JavaScript thread so its
// external-memory accounting (which drives garbage collection) stays right.
std::atomic<int64_t> released_bytes{0};

void finalize(napi_env, void* data, void* hint) {
  const size_t bytes = reinterpret_cast<size_t>(hint);
  pool().give(data, bytes);
  released_bytes.fetch_add(static_cast<int64_t>(bytes));
}

// TFJS_RESTORATION_POISON=1 fills every block with NaN before handing it out: a kernel that leaves part of its
// output unwritten then shows up in the tests instead of passing by luck.
bool poison() {
  static const bool on = [] {
    const char* v = std::getenv("TFJS_RESTORATION_POISON");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

napi_value alloc_f32(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "allocF32", 1);
    const int64_t length = args.integer(0, 0);
    const size_t bytes = static_cast<size_t>(length) * sizeof(float);
    int64_t ignored;
    const int64_t released = released_bytes.exchange(0);
    if (released != 0) napi_adjust_external_memory(env, -released, &ignored);
    if (bytes == 0 || bytes > kBudgetBytes) return undefined(env);
    void* p = pool().take(bytes);
    if (p == nullptr) return undefined(env);
    if (poison()) {
      float* f = static_cast<float*>(p);
      std::fill(f, f + length, std::numeric_limits<float>::quiet_NaN());
    }
    napi_value buffer;
    if (napi_create_external_arraybuffer(env, p, bytes, finalize, reinterpret_cast<void*>(bytes), &buffer) !=
        napi_ok) {
      // Runtimes without external buffers (a V8 sandbox): give the block back, let the caller allocate.
      pool().give(p, bytes);
      return undefined(env);
    }
    napi_adjust_external_memory(env, static_cast<int64_t>(bytes), &ignored);
    napi_value array;
    napi_create_typedarray(env, napi_float32_array, static_cast<size_t>(length), buffer, 0, &array);
    return array;
  });
}

}  // namespace

void register_alloc(napi_env env, napi_value exports) { define(env, exports, "allocF32", alloc_f32); }

}  // namespace tfr
