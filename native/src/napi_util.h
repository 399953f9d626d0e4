// The N-API side of the addon, shared by every binding file (<family>_napi.cc): each family's register_* function,
// define() to add a function to the exports, and helpers for reading arguments, whose every failure throws a
// JavaScript TypeError naming the function and the argument.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tfr {

// exports[name] = a JavaScript function calling cb.
inline void define(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

// Each family's bindings, defined in its <family>_napi.cc and called by addon.cc's Init: they define() the family's
// functions on the addon's exports.
void register_conv(napi_env env, napi_value exports);  // conv_napi.cc
void register_matmul(napi_env env, napi_value exports);  // matmul_napi.cc
void register_optim(napi_env env, napi_value exports);  // optim_napi.cc
void register_elementwise(napi_env env, napi_value exports);  // elementwise_napi.cc
void register_movement(napi_env env, napi_value exports);  // movement_napi.cc
void register_batchnorm_train(napi_env env, napi_value exports);  // batchnorm_train_napi.cc

// Thrown inside a binding; turned into a JavaScript error by Guard.
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The Float32Array `value` (named `where` in errors) with exactly `length` elements (length < 0: any); its length
// goes to *actual when asked for.
inline float* f32_value(napi_env env, napi_value value, const std::string& where, int64_t length,
                        int64_t* actual = nullptr) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type type = napi_int8_array;
  size_t len = 0;
  void* data = nullptr;
  if (is_typed) napi_get_typedarray_info(env, value, &type, &len, &data, nullptr, nullptr);
  if (!is_typed || type != napi_float32_array) throw ArgError(where + " must be a Float32Array");
  if (length >= 0 && static_cast<int64_t>(len) != length) {
    throw ArgError(where + " has " + std::to_string(len) + " elements, expected " + std::to_string(length));
  }
  if (actual != nullptr) *actual = static_cast<int64_t>(len);
  return static_cast<float*>(data);
}

struct Args {
  napi_env env;
  const char* fn;
  std::vector<napi_value> argv;

  // `count` arguments are required; up to `optional` more may follow (absent ones read as undefined: is_null).
  Args(napi_env e, napi_callback_info info, const char* name, size_t count, size_t optional = 0)
      : env(e), fn(name), argv(count + optional) {
    size_t argc = count + optional;
    napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
    if (argc < count) {
      throw ArgError(std::string(fn) + ": expected " + std::to_string(count) + " arguments, got " +
                     std::to_string(argc));
    }
  }

  std::string where(size_t i) const { return std::string(fn) + ": argument " + std::to_string(i); }

  bool is_null(size_t i) const {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }

  // A Float32Array of exactly `length` elements (length < 0: any; its length then goes to *actual if asked).
  float* f32(size_t i, int64_t length, int64_t* actual = nullptr) const {
    return f32_value(env, argv[i], where(i), length, actual);
  }

  // The Float32Arrays of array argument i: exactly lengths.size() of them, element k of lengths[k] elements.
  std::vector<float*> f32_list(size_t i, const std::vector<int64_t>& lengths) const {
    bool is_array = false;
    napi_is_array(env, argv[i], &is_array);
    uint32_t len = 0;
    if (is_array) napi_get_array_length(env, argv[i], &len);
    if (!is_array || len != lengths.size()) {
      throw ArgError(where(i) + " must be an array of " + std::to_string(lengths.size()) + " Float32Arrays");
    }
    std::vector<float*> out(len);
    for (uint32_t k = 0; k < len; ++k) {
      napi_value el;
      napi_get_element(env, argv[i], k, &el);
      out[k] = f32_value(env, el, where(i) + "[" + std::to_string(k) + "]", lengths[k]);
    }
    return out;
  }

  bool boolean(size_t i) const {
    bool v;
    if (napi_get_value_bool(env, argv[i], &v) != napi_ok) throw ArgError(where(i) + " must be a boolean");
    return v;
  }

  double number(size_t i) const {
    double v;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok) throw ArgError(where(i) + " must be a number");
    return v;
  }

  int64_t integer(size_t i, int64_t min_value) const {
    const double v = number(i);
    if (v != static_cast<double>(static_cast<int64_t>(v)) || v < static_cast<double>(min_value)) {
      throw ArgError(where(i) + " must be an integer >= " + std::to_string(min_value));
    }
    return static_cast<int64_t>(v);
  }

  // An array of integers, each >= min_value.
  std::vector<int64_t> integers(size_t i, size_t count, int64_t min_value) const {
    bool is_array = false;
    napi_is_array(env, argv[i], &is_array);
    if (!is_array) throw ArgError(where(i) + " must be an array of " + std::to_string(count) + " integers");
    uint32_t len;
    napi_get_array_length(env, argv[i], &len);
    if (len != count) throw ArgError(where(i) + " must hold " + std::to_string(count) + " integers");
    std::vector<int64_t> out(count);
    for (uint32_t k = 0; k < len; ++k) {
      napi_value el;
      napi_get_element(env, argv[i], k, &el);
      double v;
      if (napi_get_value_double(env, el, &v) != napi_ok || v != static_cast<double>(static_cast<int64_t>(v)) ||
          v < static_cast<double>(min_value)) {
        throw ArgError(where(i) + "[" + std::to_string(k) + "] must be an integer >= " + std::to_string(min_value));
      }
      out[k] = static_cast<int64_t>(v);
    }
    return out;
  }
};

// Runs body; C++ exceptions become JavaScript errors.
template <class F>
napi_value guard(napi_env env, F&& body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_type_error(env, nullptr, e.what());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

inline napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

}  // namespace tfr
