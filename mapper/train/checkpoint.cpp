// Checkpoint capture/restore: tensors matched by name, sizes checked.
#include "mapper/train/checkpoint.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <ostream>
#include <sstream>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::mapper {
void put_tensor(google::protobuf::RepeatedPtrField<proto::NamedTensor>* out, const std::string& name,
                const std::vector<int>& shape, const std::vector<float>& values) {
  proto::NamedTensor* t = out->Add();
  t->set_name(name);
  for (int s : shape) t->add_shape(s);
  t->mutable_values()->Add(values.begin(), values.end());
}

namespace {

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

void capture_values(const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers,
                    proto::Checkpoint& ckpt) {
  ckpt.clear_parameters();
  ckpt.clear_buffers();
  for (Parameter* p : params) put_tensor(ckpt.mutable_parameters(), p->name, p->shape, p->value);
  for (Buffer* b : buffers) put_tensor(ckpt.mutable_buffers(), b->name, {int(b->value.size())}, b->value);
}

void restore_values(const proto::Checkpoint& ckpt, const std::string& origin,
                    const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers) {
  for (Parameter* p : params) get(ckpt.parameters(), origin, p->name, p->value);
  for (Buffer* b : buffers) get(ckpt.buffers(), origin, b->name, b->value);
}

void capture_state(const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers, Optimizer& opt,
                   proto::Checkpoint& ckpt) {
  capture_values(params, buffers, ckpt);
  ckpt.clear_optimizer_first();
  ckpt.clear_optimizer_second();
  for (size_t i = 0; i < params.size(); ++i) {
    put_tensor(ckpt.mutable_optimizer_first(), params[i]->name, params[i]->shape, opt.first_moments()[i]);
    if (!opt.second_moments()[i].empty())
      put_tensor(ckpt.mutable_optimizer_second(), params[i]->name, params[i]->shape, opt.second_moments()[i]);
  }
  ckpt.set_steps_done(opt.steps());
}

void restore_state(const proto::Checkpoint& ckpt, const std::string& origin,
                   const std::vector<Parameter*>& params, const std::vector<Buffer*>& buffers,
                   Optimizer& opt) {
  restore_values(ckpt, origin, params, buffers);
  for (size_t i = 0; i < params.size(); ++i) {
    get(ckpt.optimizer_first(), origin, params[i]->name, opt.first_moments()[i]);
    if (!opt.second_moments()[i].empty())
      get(ckpt.optimizer_second(), origin, params[i]->name, opt.second_moments()[i]);
  }
  opt.set_steps(ckpt.steps_done());
}

void capture_state(Model& model, Optimizer& opt, proto::Checkpoint& ckpt) {
  capture_state(model.parameters(), model.buffers(), opt, ckpt);
}

void restore_state(const proto::Checkpoint& ckpt, const std::string& origin, Model& model, Optimizer& opt) {
  restore_state(ckpt, origin, model.parameters(), model.buffers(), opt);
}

void restore_weights(const proto::Checkpoint& ckpt, const std::string& origin, Model& model) {
  restore_values(ckpt, origin, model.parameters(), model.buffers());
}

void save_checkpoint(const std::string& path, const proto::Checkpoint& ckpt) {
  write_binary_proto(path, ckpt);
}

void check_values(const float* values, size_t n, const std::string& what, bool variance) {
  for (size_t i = 0; i < n; ++i) {
    const float x = values[i];
    if (std::isfinite(x) && (!variance || x >= 0)) continue;
    std::ostringstream v;
    v << x;
    throw Error(what + ": value " + v.str() + " at index " + std::to_string(i) + ": expected " +
                (variance ? "a finite variance >= 0" : "a finite number"));
  }
}

void check_values(const proto::Checkpoint& ckpt, const std::string& origin) {
  const std::string var = ".running_var";
  auto check = [&](const google::protobuf::RepeatedPtrField<proto::NamedTensor>& list, const char* part) {
    for (const proto::NamedTensor& t : list) {
      const std::string& n = t.name();
      const bool variance = n.size() > var.size() && n.compare(n.size() - var.size(), var.size(), var) == 0;
      check_values(t.values().data(), size_t(t.values_size()),
                   origin + ": " + part + " tensor '" + t.name() + "'", variance);
    }
  };
  check(ckpt.parameters(), "parameter");
  check(ckpt.buffers(), "buffer");
  check(ckpt.optimizer_first(), "optimizer");
  check(ckpt.optimizer_second(), "optimizer");
}

namespace {

// key=value words in order; a word without '=' belongs to the value before it (a path with a blank).
std::vector<std::pair<std::string, std::string>> options_of(const std::string& fingerprint) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(fingerprint);
  for (std::string w; in >> w;) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos && !out.empty())
      out.back().second += " " + w;
    else
      out.emplace_back(w.substr(0, eq), eq == std::string::npos ? "" : w.substr(eq + 1));
  }
  return out;
}

}  // namespace

std::string fingerprint_difference(const std::string& it, const std::string& now) {
  const auto a = options_of(it), b = options_of(now);
  auto find = [](const auto& list, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : list)
      if (k == key) return &v;
    return nullptr;
  };
  for (const auto& [k, v] : b) {
    const std::string* old = find(a, k);
    if (!old) return k + "=" + v + " now, not set in the checkpoint";
    if (*old != v) return k + "=" + *old + " in the checkpoint, " + k + "=" + v + " now";
  }
  for (const auto& [k, v] : a)
    if (!find(b, k)) return k + "=" + v + " in the checkpoint, not set now";
  return "the options differ";
}

std::string checkpoint_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return "";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create the output folder: " + ec.message());
  return dir + "/" + name;
}

bool checkpoint_to_resume(const std::string& path, std::ostream& log) {
  if (file_exists(path)) return true;
  log << "no checkpoint at " << path << ": starting from scratch\n";
  return false;
}

void check_fingerprint(const std::string& path, const std::string& written, const std::string& now,
                       const std::string& run) {
  if (written != now)
    throw Error(path + ": checkpoint was written by a " + run +
                " with other options: " + fingerprint_difference(written, now) +
                " (resume with the same options, or remove it to start afresh)");
}

void check_epochs_done(int done, int epochs, const std::vector<int>& numbers, const std::string& origin) {
  const std::string damaged = " (a damaged checkpoint: remove it to start afresh)";
  if (done < 0 || done > epochs)
    throw Error(origin + ": field 'epochs_done': " + std::to_string(done) + ": expected 0 to " +
                std::to_string(epochs) + damaged);
  if (int(numbers.size()) != done)
    throw Error(origin + ": " + std::to_string(numbers.size()) + " epoch records for epochs_done " +
                std::to_string(done) + damaged);
  for (size_t i = 0; i < numbers.size(); ++i)
    if (numbers[i] != int(i) + 1)
      throw Error(origin + ": epoch record " + std::to_string(i + 1) + " is numbered " +
                  std::to_string(numbers[i]) + damaged);
}

proto::Checkpoint load_checkpoint(const std::string& path) {
  proto::Checkpoint c;
  read_binary_proto(path, &c);
  check_values(c, path);
  return c;
}

}  // namespace odimo::mapper
