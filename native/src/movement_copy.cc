// Data movement: boxes (slice, pad), concat/split along an axis, transpose and tile. Shapes are first collapsed so
// the innermost loop is a memcpy of the longest contiguous run.
#include <algorithm>
#include <cstring>

#include "movement.h"

namespace tfr {
namespace {

int64_t product(const std::vector<int64_t>& v, size_t from = 0) {
  int64_t p = 1;
  for (size_t i = from; i < v.size(); ++i) p *= v[i];
  return p;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// Copies `rows` runs of `len` floats, run r from src + r * src_stride to dst + r * dst_stride. Few long runs are
// cut into pieces so both threads still share the work.
void copy_rows(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t rows, int64_t len) {
  if (rows == 0 || len == 0) return;
  const int64_t pieces =
      rows >= 4 * num_threads() ? 1 : std::max<int64_t>(1, std::min<int64_t>(len / kBlockElements, 64));
  for_blocks(rows * pieces, block_for(len / pieces), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r = t / pieces, p = t % pieces;
      const int64_t b = len * p / pieces, e = len * (p + 1) / pieces;
      std::memcpy(dst + r * dst_stride + b, src + r * src_stride + b, (e - b) * sizeof(float));
    }
  });
}

// A box copy with dimensions merged where the box spans the whole inner dimension on both sides.
struct Box {
  std::vector<int64_t> src_shape, src_begin, dst_shape, dst_begin, size;
};

Box collapse(const Box& in) {
  Box b;
  for (size_t i = 0; i < in.size.size(); ++i) {
    const bool merge = !b.size.empty() && in.size[i] == in.src_shape[i] && in.size[i] == in.dst_shape[i];
    if (merge) {
      b.src_begin.back() = b.src_begin.back() * in.src_shape[i] + in.src_begin[i];
      b.dst_begin.back() = b.dst_begin.back() * in.dst_shape[i] + in.dst_begin[i];
      b.src_shape.back() *= in.src_shape[i];
      b.dst_shape.back() *= in.dst_shape[i];
      b.size.back() *= in.size[i];
    } else {
      b.src_shape.push_back(in.src_shape[i]);
      b.src_begin.push_back(in.src_begin[i]);
      b.dst_shape.push_back(in.dst_shape[i]);
      b.dst_begin.push_back(in.dst_begin[i]);
      b.size.push_back(in.size[i]);
    }
  }
  return b;
}

// Calls fn(row, index) for rows [r0, r1) of an odometer over `dims`, index being the row's multi-index (updated
// incrementally, not recomputed by division per row).
template <class F>
void odometer(const std::vector<int64_t>& dims, int64_t r0, int64_t r1, F&& fn) {
  std::vector<int64_t> idx(dims.size());
  int64_t rest = r0;
  for (size_t i = dims.size(); i-- > 0;) {
    idx[i] = rest % dims[i];
    rest /= dims[i];
  }
  for (int64_t r = r0; r < r1; ++r) {
    fn(r, idx);
    for (size_t i = dims.size(); i-- > 0;) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
}

}  // namespace

void copy_box(const float* src, const std::vector<int64_t>& src_shape, const std::vector<int64_t>& src_begin,
              float* dst, const std::vector<int64_t>& dst_shape, const std::vector<int64_t>& dst_begin,
              const std::vector<int64_t>& size) {
  if (product(size) == 0) return;
  const Box b = collapse(Box{src_shape, src_begin, dst_shape, dst_begin, size});
  const size_t rank = b.size.size();
  const std::vector<int64_t> ss = strides_of(b.src_shape), ds = strides_of(b.dst_shape);
  int64_t src0 = 0, dst0 = 0;
  for (size_t i = 0; i < rank; ++i) {
    src0 += b.src_begin[i] * ss[i];
    dst0 += b.dst_begin[i] * ds[i];
  }
  const int64_t run = b.size[rank - 1];
  if (rank <= 2) {
    const int64_t rows = rank == 2 ? b.size[0] : 1;
    copy_rows(src + src0, rank == 2 ? ss[0] : 0, dst + dst0, rank == 2 ? ds[0] : 0, rows, run);
    return;
  }
  const std::vector<int64_t> outer(b.size.begin(), b.size.end() - 1);
  for_blocks(product(outer), block_for(run), [&](int64_t r0, int64_t r1) {
    odometer(outer, r0, r1, [&](int64_t, const std::vector<int64_t>& idx) {
      int64_t s = src0, d = dst0;
      for (size_t i = 0; i + 1 < rank; ++i) {
        s += idx[i] * ss[i];
        d += idx[i] * ds[i];
      }
      std::memcpy(dst + d, src + s, run * sizeof(float));
    });
  });
}

void concat(const std::vector<const float*>& parts, const std::vector<int64_t>& mids, int64_t outer, int64_t inner,
            float* out) {
  int64_t total = 0;
  for (int64_t m : mids) total += m;
  int64_t offset = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    copy_rows(parts[k], mids[k] * inner, out + offset * inner, total * inner, outer, mids[k] * inner);
    offset += mids[k];
  }
}

void split(const float* x, const std::vector<int64_t>& mids, int64_t outer, int64_t inner,
           const std::vector<float*>& parts) {
  int64_t total = 0;
  for (int64_t m : mids) total += m;
  int64_t offset = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    copy_rows(x + offset * inner, total * inner, parts[k], mids[k] * inner, outer, mids[k] * inner);
    offset += mids[k];
  }
}

void pad(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& before,
         const std::vector<int64_t>& out_shape, float value, float* out) {
  const int64_t n = product(out_shape);
  for_blocks(n, kBlockElements, [&](int64_t i0, int64_t i1) { std::fill(out + i0, out + i1, value); });
  copy_box(x, shape, std::vector<int64_t>(shape.size(), 0), out, out_shape, before, shape);
}

namespace {

// A transpose with size-1 axes dropped and input axes that stay neighbours in the output merged.
struct Perm {
  std::vector<int64_t> shape;  // input shape
  std::vector<int64_t> perm;
};

Perm simplify(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm) {
  const size_t rank = shape.size();
  // Drop size-1 axes, renumbering the rest.
  std::vector<int64_t> keep_id(rank, -1);
  std::vector<int64_t> kept_shape;
  for (size_t i = 0; i < rank; ++i) {
    if (shape[i] != 1) {
      keep_id[i] = static_cast<int64_t>(kept_shape.size());
      kept_shape.push_back(shape[i]);
    }
  }
  std::vector<int64_t> kept_perm;
  for (size_t j = 0; j < rank; ++j) {
    if (keep_id[perm[j]] >= 0) kept_perm.push_back(keep_id[perm[j]]);
  }
  // Merge runs perm[j], perm[j]+1, ... into one axis.
  const size_t r = kept_shape.size();
  std::vector<int64_t> group_of(r, -1);  // input axis -> merged output position
  std::vector<int64_t> group_size;
  for (size_t j = 0; j < r; ++j) {
    const bool extends = j > 0 && kept_perm[j] == kept_perm[j - 1] + 1;
    if (extends) {
      group_size.back() *= kept_shape[kept_perm[j]];
      group_of[kept_perm[j]] = -2;  // merged into its predecessor
    } else {
      group_of[kept_perm[j]] = static_cast<int64_t>(group_size.size());
      group_size.push_back(kept_shape[kept_perm[j]]);
    }
  }
  // Input order of the merged axes gives the new input shape and permutation.
  Perm p;
  std::vector<int64_t> in_pos(group_size.size());
  for (size_t i = 0; i < r; ++i) {
    if (group_of[i] >= 0) {
      in_pos[group_of[i]] = static_cast<int64_t>(p.shape.size());
      p.shape.push_back(group_size[group_of[i]]);
    }
  }
  p.perm.resize(group_size.size());
  for (size_t g = 0; g < group_size.size(); ++g) p.perm[g] = in_pos[g];
  return p;
}

// Transposes with the innermost output axis coming from input axis `a` (not the input's innermost axis): for
// every index of the other axes, a tiled [a x last] block swap so both sides touch whole cache lines.
void transpose_tiled(const float* x, const Perm& p, float* out) {
  constexpr int64_t kTile = 16;
  const size_t rank = p.shape.size();
  const std::vector<int64_t> in_strides = strides_of(p.shape);
  std::vector<int64_t> out_shape(rank);
  for (size_t j = 0; j < rank; ++j) out_shape[j] = p.shape[p.perm[j]];
  const std::vector<int64_t> out_strides = strides_of(out_shape);
  std::vector<int64_t> out_stride_of_in(rank);  // output stride of each input axis
  for (size_t j = 0; j < rank; ++j) out_stride_of_in[p.perm[j]] = out_strides[j];
  const size_t a = p.perm[rank - 1], last = rank - 1;
  const int64_t na = p.shape[a], nl = p.shape[last], ia = in_strides[a], ol = out_stride_of_in[last];
  // The other input axes, iterated by an odometer; tiles along `a` are part of the parallel work.
  std::vector<int64_t> other, other_in, other_out;
  for (size_t i = 0; i < rank; ++i) {
    if (i == a || i == last) continue;
    other.push_back(p.shape[i]);
    other_in.push_back(in_strides[i]);
    other_out.push_back(out_stride_of_in[i]);
  }
  const int64_t a_tiles = (na + kTile - 1) / kTile;
  other.push_back(a_tiles);
  for_blocks(product(other), block_for(kTile * nl), [&](int64_t r0, int64_t r1) {
    odometer(other, r0, r1, [&](int64_t, const std::vector<int64_t>& idx) {
      int64_t s = 0, d = 0;
      for (size_t i = 0; i + 1 < idx.size(); ++i) {
        s += idx[i] * other_in[i];
        d += idx[i] * other_out[i];
      }
      const int64_t a0 = idx.back() * kTile, a1 = std::min(na, a0 + kTile);
      for (int64_t l0 = 0; l0 < nl; l0 += kTile) {
        const int64_t l1 = std::min(nl, l0 + kTile);
        for (int64_t l = l0; l < l1; ++l) {
          float* o = out + d + l * ol;
          const float* in = x + s + l;
          for (int64_t ai = a0; ai < a1; ++ai) o[ai] = in[ai * ia];
        }
      }
    });
  });
}

}  // namespace

void transpose(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* out) {
  const int64_t n = product(shape);
  if (n == 0) return;
  const Perm p = simplify(shape, perm);
  const size_t rank = p.shape.size();
  if (rank <= 1) {
    copy_rows(x, 0, out, 0, 1, n);
    return;
  }
  if (static_cast<size_t>(p.perm[rank - 1]) != rank - 1) {
    transpose_tiled(x, p, out);
    return;
  }
  // The innermost axis stays innermost: copy its runs to their places.
  const std::vector<int64_t> in_strides = strides_of(p.shape);
  const int64_t run = p.shape[rank - 1];
  std::vector<int64_t> out_rows(rank - 1), src_stride(rank - 1);
  for (size_t j = 0; j + 1 < rank; ++j) {
    out_rows[j] = p.shape[p.perm[j]];
    src_stride[j] = in_strides[p.perm[j]];
  }
  for_blocks(n / run, block_for(run), [&](int64_t r0, int64_t r1) {
    odometer(out_rows, r0, r1, [&](int64_t r, const std::vector<int64_t>& idx) {
      int64_t s = 0;
      for (size_t j = 0; j < idx.size(); ++j) s += idx[j] * src_stride[j];
      std::memcpy(out + r * run, x + s, run * sizeof(float));
    });
  });
}

void tile(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& reps, float* out) {
  const size_t rank = shape.size();
  std::vector<int64_t> out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = shape[i] * reps[i];
  if (product(out_shape) == 0) return;
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  const std::vector<int64_t> in_strides = strides_of(shape);
  const int64_t len = shape[rank - 1], row = out_shape[rank - 1];
  const std::vector<int64_t> rows(out_shape.begin(), out_shape.end() - 1);
  // Each output row is the input row (x's innermost axis) repeated reps[last] times.
  for_blocks(product(rows), block_for(row), [&](int64_t r0, int64_t r1) {
    odometer(rows, r0, r1, [&](int64_t r, const std::vector<int64_t>& idx) {
      int64_t s = 0;
      for (size_t i = 0; i < idx.size(); ++i) s += (idx[i] % shape[i]) * in_strides[i];
      float* o = out + r * row;
      for (int64_t k = 0; k < reps[rank - 1]; ++k) std::memcpy(o + k * len, x + s, len * sizeof(float));
    });
  });
}

}  // namespace tfr
