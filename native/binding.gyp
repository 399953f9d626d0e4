{
  "targets": [
    {
      "target_name": "tfjs_restoration_native",
      "sources": [
        "src/addon.cc",
        "src/thread_pool.cc",
        "src/gemm.cc",
        "src/conv.cc",
        "src/winograd.cc",
        "src/conv_napi.cc",
        "src/matmul_napi.cc",
        "src/optim.cc",
        "src/optim_napi.cc",
        "src/elementwise_binary.cc",
        "src/elementwise_unary.cc",
        "src/elementwise_napi.cc",
        "src/movement_napi.cc",
        "src/movement_reduce.cc",
        "src/movement_copy.cc",
        "src/movement_pool.cc",
        "src/batchnorm_train.cc",
        "src/batchnorm_train_napi.cc"
      ],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"],
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES"
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "Optimization": 2 } }
    }
  ]
}
