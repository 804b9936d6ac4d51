#pragma once
// The search half of bench_train (bench_search.cpp).
#include <string>

// An ODiMO search (1 search + 1 fine-tune epoch of `steps` steps) on `soc` ("diana":
// resnet20 against diana-digital training; "darkside": mobilenetv1-0.25-odimo against
// darkside-int8), 1x28x28 Fashion-MNIST, batch 128, against plain quantized training of
// the same network for the same steps (2 epochs, the same validation and test passes).
// Each run is its own process; prints both wall times and peak RSS and their ratios
// (medians over `rounds` alternating rounds). Returns the exit status.
// conv_branch_threshold < 0: the search's default (search_config.h).
int bench_search(const std::string& soc, int steps, int rounds, int threads, double conv_branch_threshold);
