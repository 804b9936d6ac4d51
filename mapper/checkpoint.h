#pragma once
// Saving and restoring a training run (proto/checkpoint.proto), atomically.
#include <string>

#include "mapper/model.h"
#include "mapper/optim.h"
#include "proto/checkpoint.pb.h"

namespace odimo::mapper {

// Fills parameters, buffers and optimizer state of `ckpt` from the live objects.
void capture_state(Model& model, Optimizer& opt, proto::Checkpoint& ckpt);
// Restores them; throws Error naming `origin` when a tensor is missing or has another size.
void restore_state(const proto::Checkpoint& ckpt, const std::string& origin, Model& model, Optimizer& opt);

// Restores parameters and buffers only (a search result's weights.pb).
void restore_weights(const proto::Checkpoint& ckpt, const std::string& origin, Model& model);

void save_checkpoint(const std::string& path, const proto::Checkpoint& ckpt);
proto::Checkpoint load_checkpoint(const std::string& path);

}  // namespace odimo::mapper
