#pragma once
// The ranges of the training engine's counts and rates, one home for the command
// lines (cli/) and sweep specs (mapper/sweep/plan.cpp). Values outside them cannot
// run (buffers, int arithmetic) or are not a training anyone means; the numbers
// are odimo's own choice (assumption), stated in every message that refuses one.
#include "mapper/tensor/tensor.h"  // kMaxThreads: the per-thread scratch is sized for it

namespace odimo::mapper {

constexpr int kMaxBatch = 65536;      // images per step (65536 CIFAR images: 800 MB as floats)
constexpr int kMaxEpochs = 100000;    // epochs of one phase
constexpr int kMaxSteps = 100000000;  // --steps-per-epoch
constexpr double kMinLr = 1e-9;       // learning rates: > 0
constexpr double kMaxLr =
    1e4;  // far above any useful rate (defaults 0.05); the trainer catches divergence below
constexpr double kMaxLambda = 1e6;  // cost weight of the search loss (the shipped sweeps: <= 10)
constexpr int kMaxJobs = 256;       // processes of a sweep at a time (assumption: <= 256 cores)

}  // namespace odimo::mapper
