#pragma once
// Saving and restoring a training run (proto/checkpoint.proto), atomically.
#include <iosfwd>
#include <string>
#include <vector>

#include "mapper/nn/model.h"
#include "mapper/train/optim.h"
#include "proto/checkpoint.pb.h"

namespace odimo::mapper {

// Fills parameters, buffers and optimizer state of `ckpt` from the live objects.
void capture_state(Model& model, Optimizer& opt, proto::Checkpoint& ckpt);
// Restores them; throws Error naming `origin` when a tensor is missing or has another size.
void restore_state(const proto::Checkpoint& ckpt, const std::string& origin, Model& model, Optimizer& opt);
// The same for an optimizer over `params` only (their order is the optimizer's), e.g. the
// search's weights and architecture optimizers.
void capture_state(const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers, Optimizer& opt,
                   proto::Checkpoint& ckpt);
void restore_state(const proto::Checkpoint& ckpt, const std::string& origin,
                   const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers,
                   Optimizer& opt);
// Values only, no optimizer state: exported weights, the best weights of a fine-tune.
void capture_values(const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers,
                    proto::Checkpoint& ckpt);
void restore_values(const proto::Checkpoint& ckpt, const std::string& origin,
                    const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers);

// Restores parameters and buffers only (a search result's weights.pb).
void restore_weights(const proto::Checkpoint& ckpt, const std::string& origin, Model& model);
// Appends one named tensor (the layout every checkpoint and weights file uses).
void put_tensor(google::protobuf::RepeatedPtrField<proto::NamedTensor>* out, const std::string& name,
                const std::vector<int>& shape, const std::vector<float>& values);

void save_checkpoint(const std::string& path, const proto::Checkpoint& ckpt);
// Reads a binary proto::Checkpoint (a training checkpoint, a search's weights.pb, an imported
// W.pb) and checks its values (check_values).
proto::Checkpoint load_checkpoint(const std::string& path);
// Every value of every tensor finite, and every batch-norm running variance ("*.running_var")
// at least 0; throws Error naming `origin`, the tensor and the value otherwise.
void check_values(const proto::Checkpoint& ckpt, const std::string& origin);
// Why a checkpoint's fingerprint (space-separated key=value options) is not the current run's,
// in one line: the first option that differs, e.g. "epochs=3 in the checkpoint, epochs=5 now".
std::string fingerprint_difference(const std::string& it, const std::string& now);
// The checkpoint file `name` in the output folder `dir`, which is created (with its parents);
// empty when `dir` is (a run without output writes no checkpoint). Error naming the folder if
// it cannot be created.
std::string checkpoint_path(const std::string& dir, const std::string& name);
// Whether a --resume run finds its checkpoint at `path`; if not, says on `log` that it starts
// from scratch.
bool checkpoint_to_resume(const std::string& path, std::ostream& log);
// Error unless the checkpoint at `path` was written with this run's options: `written` and `now`
// are the two fingerprints, `run` names the kind of run ("run", "search").
void check_fingerprint(const std::string& path, const std::string& written, const std::string& now,
                       const std::string& run);
// Error unless `done` epochs are in [0, `epochs`] and `numbers` (the epoch records' numbers, in
// order) are exactly 1..done: a damaged checkpoint is refused as a whole before a resume.
void check_epochs_done(int done, int epochs, const std::vector<int>& numbers, const std::string& origin);
// The same for one tensor's values (e.g. an ONNX initializer), `what` naming it.
void check_values(const float* values, size_t n, const std::string& what, bool variance);

}  // namespace odimo::mapper
