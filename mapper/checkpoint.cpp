// Checkpoint capture/restore: tensors matched by name, sizes checked.
#include "mapper/checkpoint.h"

#include <map>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::mapper {
namespace {

void put(google::protobuf::RepeatedPtrField<proto::NamedTensor>* out, const std::string& name,
         const std::vector<int>& shape, const std::vector<float>& values) {
  proto::NamedTensor* t = out->Add();
  t->set_name(name);
  for (int s : shape) t->add_shape(s);
  t->mutable_values()->Add(values.begin(), values.end());
}

void get(const google::protobuf::RepeatedPtrField<proto::NamedTensor>& in, const std::string& origin,
         const std::string& name, std::vector<float>& values) {
  for (const auto& t : in) {
    if (t.name() != name) continue;
    if (size_t(t.values_size()) != values.size())
      throw Error(origin + ": tensor '" + name + "' has " + std::to_string(t.values_size()) +
                  " values, the model " + std::to_string(values.size()));
    std::copy(t.values().begin(), t.values().end(), values.begin());
    return;
  }
  throw Error(origin + ": tensor '" + name + "' is missing (checkpoint of another network?)");
}

}  // namespace

void capture_state(Model& model, Optimizer& opt, proto::Checkpoint& ckpt) {
  ckpt.clear_parameters();
  ckpt.clear_buffers();
  ckpt.clear_optimizer_first();
  ckpt.clear_optimizer_second();
  const auto params = model.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    put(ckpt.mutable_parameters(), params[i]->name, params[i]->shape, params[i]->value);
    put(ckpt.mutable_optimizer_first(), params[i]->name, params[i]->shape, opt.first_moments()[i]);
    if (!opt.second_moments()[i].empty())
      put(ckpt.mutable_optimizer_second(), params[i]->name, params[i]->shape, opt.second_moments()[i]);
  }
  for (Buffer* b : model.buffers()) put(ckpt.mutable_buffers(), b->name, {int(b->value.size())}, b->value);
  ckpt.set_steps_done(opt.steps());
}

void restore_state(const proto::Checkpoint& ckpt, const std::string& origin, Model& model, Optimizer& opt) {
  const auto params = model.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    get(ckpt.parameters(), origin, params[i]->name, params[i]->value);
    get(ckpt.optimizer_first(), origin, params[i]->name, opt.first_moments()[i]);
    if (!opt.second_moments()[i].empty())
      get(ckpt.optimizer_second(), origin, params[i]->name, opt.second_moments()[i]);
  }
  for (Buffer* b : model.buffers()) get(ckpt.buffers(), origin, b->name, b->value);
  opt.set_steps(ckpt.steps_done());
}

void restore_weights(const proto::Checkpoint& ckpt, const std::string& origin, Model& model) {
  for (Parameter* p : model.parameters()) get(ckpt.parameters(), origin, p->name, p->value);
  for (Buffer* b : model.buffers()) get(ckpt.buffers(), origin, b->name, b->value);
}

void save_checkpoint(const std::string& path, const proto::Checkpoint& ckpt) {
  write_binary_proto(path, ckpt);
}

proto::Checkpoint load_checkpoint(const std::string& path) {
  proto::Checkpoint c;
  read_binary_proto(path, &c);
  return c;
}

}  // namespace odimo::mapper
