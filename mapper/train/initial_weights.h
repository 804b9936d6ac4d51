#pragma once
// Pretrained weights a training run or a search starts from (the ODiMO flow starts
// every search from a pretrained float model). One loader for three kinds of file:
//   checkpoint.pb  written by `odimo train --out DIR` (any quantization);
//   W.pb           written by `odimo import MODEL.onnx --weights W.pb`: the same
//                  proto::Checkpoint, with parameters and batch-norm buffers only;
//   MODEL.onnx     its initializers, converted from ONNX's layout (conv OIHW, linear
//                  (out,in) or (in,out) over NCHW-flattened features) to the mapper's
//                  (mapper/tensor/tensor.h: conv (ky,kx,cin,cout) per group, linear (in,out) over
//                  NHWC-flattened features).
// Tensors are matched by the Network IR's layer names: "<layer>.weight", "<layer>.bias",
// "<bn>.gamma", "<bn>.beta", "<bn>.running_mean", "<bn>.running_var".
#include <string>

#include "mapper/nn/model.h"
#include "proto/checkpoint.pb.h"
#include "workloads/network.h"
#include "workloads/onnx_import.h"

namespace odimo::mapper {

// The float tensors of `net` (built from `imported`) from the file's initializers, in the
// mapper's layout. Throws Error naming `path`, the tensor and expected vs found shape. A batch
// norm's epsilon other than odimo's 1e-5 is folded into running_var (same eval output).
proto::Checkpoint onnx_weights(const OnnxImport& imported, const Network& net, const std::string& path);

// Reads `path`: a .onnx model (converted as above), else a binary proto::Checkpoint.
proto::Checkpoint read_initial_weights(const std::string& path);

// Writes the network's float tensors from `path` into `model`: every one must be in the file
// with its exact shape, and the file may hold no other weight tensor (Error naming the file and
// the tensor otherwise). Then re-initialises the quantizers from the loaded weights
// (Node::weights_loaded) and restores quantizer state the file has under the model's own names
// (a checkpoint of the same quantization); other quantizer state is not used. Returns a
// one-line summary for the log.
std::string load_initial_weights(const std::string& path, Model& model);

}  // namespace odimo::mapper
