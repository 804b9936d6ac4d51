// `odimo train`; see trainer.h. Its epochs run through the training loop (epoch_loop.h) under
// SeedingRule::kTrain: each epoch's shuffle and augmentation depend on (seed, epoch) only, so a
// run resumed from an epoch-end checkpoint replays exactly the batches of an uninterrupted run.
#include "mapper/train/trainer.h"

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <sstream>

#include "mapper/train/checkpoint.h"
#include "mapper/train/epoch_loop.h"
#include "mapper/train/initial_weights.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::mapper {
namespace {

struct Run {
  const TrainConfig& cfg;
  const DataSplits& data;
  Augment augment;
  Model& model;
  Optimizer& opt;
};

std::array<GroupHyper, kParamGroups> group_hypers(const TrainConfig& c) {
  std::array<GroupHyper, kParamGroups> g{c.weights, c.weights, c.weights};
  g[int(ParamGroup::kQuantizer)].lr = c.quant_lr >= 0 ? c.quant_lr : c.weights.lr / 100;
  g[int(ParamGroup::kQuantizer)].weight_decay = 0;
  g[int(ParamGroup::kArchitecture)].weight_decay = 0;
  return g;
}

int64_t steps_per_epoch(const TrainConfig& c, int train_size) {
  return epoch_steps(train_size, c.batch, c.steps_per_epoch);
}

bool all_finite(Model& m) {
  for (Parameter* p : m.parameters())
    for (float v : p->value)
      if (!std::isfinite(v)) return false;
  return true;
}

// The error line of a diverging run: a non-finite loss at `step` (> 0) or, at the end of the
// epoch (step 0), non-finite weights.
std::string divergence_message(const TrainConfig& c, int epoch, int64_t step, double loss) {
  std::ostringstream s;
  s << "training diverged: "
    << (std::isnan(loss)   ? "loss is NaN"
        : std::isinf(loss) ? "loss is infinite"
                           : "weights are not finite")
    << " at epoch " << epoch;
  if (step > 0) s << ", step " << step;
  s << " (try a lower --lr)";
  const std::string ckpt = c.out_dir + "/checkpoint.pb";
  if (!c.out_dir.empty() && file_exists(ckpt))
    s << "; the last good checkpoint is kept in " << ckpt;
  else if (!c.out_dir.empty())
    s << "; no epoch finished, so no checkpoint was written";
  return s.str();
}

// Trains one epoch (epoch_loop.h, odimo train's seeding rule); returns its record (validation
// filled in by the caller).
proto::EpochRecord train_epoch(Run& r, int epoch, std::ostream& log) {
  const TrainConfig& c = r.cfg;
  const int64_t steps = steps_per_epoch(c, r.data.train.size());
  EpochBar bar(log, c.progress, epoch, c.epochs);
  double lr = 0;
  Epoch ep{r.model, r.data};
  ep.augment = r.augment;
  ep.batch = c.batch, ep.steps = steps, ep.seed = c.seed, ep.epoch = epoch;
  ep.draws = epoch_order(SeedingRule::kTrain, c.seed, epoch, r.data.train.size());
  ep.divergence = [&](int64_t step, double loss) { return divergence_message(c, epoch, step, loss); };
  ep.update = [&](int64_t, int64_t) {
    const double factor = c.schedule.factor(epoch - 1, r.opt.steps());
    lr = c.weights.lr * factor;
    r.opt.step(factor);
  };
  ep.progress = &bar;
  const EpochTally t = run_epoch(ep);
  proto::EpochRecord e;
  e.set_epoch(epoch);
  e.set_seconds(t.seconds);
  e.set_train_loss(t.loss());
  e.set_train_accuracy(t.accuracy());
  e.set_images_per_second(t.images_per_second());
  e.set_learning_rate(lr);
  return e;
}

std::string json_number(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << (std::isfinite(v) ? v : 0.0);
  return s.str();
}

void write_report(const TrainConfig& c, const TrainResult& res, const std::string& path) {
  std::ostringstream o;
  o << "{\n  \"network\": \"" << c.net << "\",\n  \"dataset\": \"" << c.dataset << "\",\n  \"quant\": \""
    << c.quant.name << "\",\n  \"epochs\": " << res.epochs << ",\n  \"steps\": " << res.steps
    << ",\n  \"test_accuracy\": " << json_number(res.test_accuracy)
    << ",\n  \"test_loss\": " << json_number(res.test_loss)
    << ",\n  \"images_per_second\": " << json_number(res.images_per_second)
    << ",\n  \"threads\": " << c.threads << ",\n  \"batch\": " << c.batch << ",\n  \"history\": [";
  for (size_t i = 0; i < res.history.size(); ++i) {
    const auto& e = res.history[i];
    o << (i ? ",\n" : "\n") << "    {\"epoch\": " << e.epoch()
      << ", \"train_loss\": " << json_number(e.train_loss())
      << ", \"train_accuracy\": " << json_number(e.train_accuracy())
      << ", \"validation_loss\": " << json_number(e.validation_loss())
      << ", \"validation_accuracy\": " << json_number(e.validation_accuracy())
      << ", \"images_per_second\": " << json_number(e.images_per_second()) << "}";
  }
  o << "\n  ]\n}\n";
  write_file_atomic(path, o.str());
}

void check_config(const TrainConfig& c) {
  if (c.epochs < 0 || (c.epochs == 0 && c.init.empty()))
    throw Error("--epochs must be at least 1 (0, only evaluating, needs --init FILE)");
  if (c.batch < 1) throw Error("--batch must be at least 1");
  if (c.threads < 1 || c.threads > kMaxThreads)
    throw Error("--threads must be between 1 and " + std::to_string(kMaxThreads));
  if (!(c.weights.lr > 0)) throw Error("--lr must be positive");
  if (c.resume && c.out_dir.empty()) throw Error("--resume needs --out DIR (where the checkpoint is)");
}

}  // namespace

std::string fingerprint(const TrainConfig& c) {
  std::ostringstream s;
  s << std::setprecision(17) << "net=" << c.net << " input=" << (c.input ? c.input->str() : "default")
    << " dataset=" << c.dataset << " epochs=" << c.epochs << " batch=" << c.batch
    << " steps/epoch=" << c.steps_per_epoch << " optimizer=" << int(c.optimizer) << " lr=" << c.weights.lr
    << " momentum=" << c.weights.momentum << " nesterov=" << c.weights.nesterov
    << " wd=" << c.weights.weight_decay << " quant_lr=" << c.quant_lr << " schedule=" << int(c.schedule.kind)
    << "/" << c.schedule.gamma << "/" << c.schedule.step_epochs << "/" << c.schedule.milestones.size()
    << " seed=" << c.seed << " threads=" << c.threads << " quant=" << c.quant.name
    << " val=" << c.val_fraction
    << " augment=" << (c.augment ? c.augment->crop_padding * 2 + c.augment->flip : -1);
  for (int m : c.schedule.milestones) s << "," << m;
  if (!c.init.empty()) s << " init=" << c.init;
  if (c.adc)
    s << " adc_bits=" << c.adc->cu.adc_bits << " adc_rows=" << c.adc->cu.tile_rows
      << " adc_noise=" << c.adc->noise;
  return s.str();
}

Evaluation evaluate(Model& model, const Dataset& data, const std::vector<float>& mean,
                    const std::vector<float>& stddev, int batch) {
  Evaluation ev;
  std::vector<float> x(size_t(batch) * data.input().elements());
  std::vector<int> y(batch), idx(batch);
  std::mt19937_64 unused;
  double loss = 0;
  int64_t correct = 0;
  for (int first = 0; first < data.size(); first += batch) {
    const int n = std::min(batch, data.size() - first);
    std::iota(idx.begin(), idx.begin() + n, first);
    fill_batch(data, idx.data(), n, mean, stddev, Augment{}, unused, 0, 0, x.data(), y.data());
    const Activation& logits = model.forward(x.data(), n, false, nullptr);
    int right = 0;
    loss +=
        softmax_cross_entropy(n, model.classes(), logits.value.data(), y.data(), (float*)nullptr, &right) * n;
    correct += right;
  }
  ev.images = data.size();
  ev.loss = data.size() ? loss / data.size() : 0;
  ev.accuracy = data.size() ? double(correct) / data.size() : 0;
  return ev;
}

namespace {

Augment default_augment(const TrainConfig& c) {
  if (c.augment) return *c.augment;
  const bool cifar = c.dataset.rfind("cifar", 0) == 0, folder = c.dataset.rfind("imagefolder:", 0) == 0;
  return cifar || folder ? Augment{4, true} : Augment{};  // folders: random-resized crop + flip
}

// Loads the checkpoint of an interrupted run, if any; returns the epochs it completed.
int resume_from(const TrainConfig& c, const std::string& path, Model& model, Optimizer& opt,
                proto::Checkpoint& ckpt, std::ostream& log) {
  if (!c.resume || !checkpoint_to_resume(path, log)) return 0;
  ckpt = load_checkpoint(path);
  check_fingerprint(path, ckpt.fingerprint(), fingerprint(c), "run");
  std::vector<int> numbers;
  for (const auto& e : ckpt.history()) numbers.push_back(e.epoch());
  check_epochs_done(ckpt.epochs_done(), c.epochs, numbers, path);
  if (ckpt.steps_done() < 0)
    throw Error(path + ": field 'steps_done': " + std::to_string(ckpt.steps_done()) + ": expected >= 0");
  restore_state(ckpt, path, model, opt);
  log << "resumed from " << path << " after epoch " << ckpt.epochs_done() << "\n";
  return ckpt.epochs_done();
}

}  // namespace

namespace {

DataSplits load_matching_data(const TrainConfig& c, const Network& net) {
  return load_dataset_for(net, c.dataset, c.val_fraction, c.seed, c.threads, c.fashion_dir);
}

void validate(Run& r, proto::EpochRecord& e, std::ostream& log) {
  if (r.data.validation.size()) {
    const Evaluation v = evaluate(r.model, r.data.validation, r.data.mean, r.data.stddev, r.cfg.batch);
    e.set_validation_loss(v.loss);
    e.set_validation_accuracy(v.accuracy);
    if (r.cfg.progress)
      log << "  val loss " << std::fixed << std::setprecision(4) << v.loss << "  val acc "
          << std::setprecision(2) << 100 * v.accuracy << "%";
  }
  if (r.cfg.progress) log << "\n" << std::flush;
}

// Test accuracy, throughput over every epoch of the run (including those before a --resume), report.
TrainResult finish(Run& r, const proto::Checkpoint& ckpt, std::ostream& log) {
  TrainResult res;
  const Evaluation t = evaluate(r.model, r.data.test, r.data.mean, r.data.stddev, r.cfg.batch);
  res.test_loss = t.loss;
  res.test_accuracy = t.accuracy;
  res.epochs = r.cfg.epochs;
  res.steps = r.opt.steps();
  res.history.assign(ckpt.history().begin(), ckpt.history().end());
  double images = 0, seconds = 0;
  for (const auto& e : res.history) images += e.images_per_second() * e.seconds(), seconds += e.seconds();
  res.images_per_second = seconds > 0 ? images / seconds : 0;
  log << "test accuracy " << std::fixed << std::setprecision(2) << 100 * t.accuracy << "% (loss "
      << std::setprecision(4) << t.loss << ") on " << t.images << " images; " << std::setprecision(0)
      << res.images_per_second << " training images/s\n";
  if (!r.cfg.out_dir.empty()) write_report(r.cfg, res, r.cfg.out_dir + "/report.json");
  return res;
}

}  // namespace

TrainResult train(const TrainConfig& c, std::ostream& log) {
  check_config(c);
  const Network net = load_network(c.net, c.input);
  check_training_memory(net, c.batch);
  const DataSplits data = load_matching_data(c, net);
  ModelOptions mo{c.quant, c.seed, c.threads, {}};
  mo.adc = c.adc;
  Model model(net, mo);
  configure_adc(model, int8_input_shift(data));
  if (!c.init.empty()) log << load_initial_weights(c.init, model) << "\n";
  Optimizer opt(c.optimizer, model.parameters(), group_hypers(c));
  TrainConfig cfg = c;
  cfg.schedule.total_steps = int64_t(c.epochs) * steps_per_epoch(c, data.train.size());
  Run r{cfg, data, default_augment(c), model, opt};

  const std::string ckpt_path = checkpoint_path(c.out_dir, "checkpoint.pb");
  proto::Checkpoint ckpt;
  const int start = resume_from(cfg, ckpt_path, model, opt, ckpt, log);
  ckpt.set_fingerprint(fingerprint(cfg));
  ckpt.set_network(net.name);
  ckpt.set_quant(c.quant.name);
  log << net.name << " (" << model.parameters().size() << " tensors) on " << data.train.name << ": "
      << data.train.size() << " train / " << data.validation.size() << " validation / " << data.test.size()
      << " test images, quant " << c.quant.name << ", " << c.threads << " threads\n";
  for (int epoch = start + 1; epoch <= c.epochs; ++epoch) {
    proto::EpochRecord e = train_epoch(r, epoch, log);
    if (!all_finite(model)) throw Error(divergence_message(c, epoch, 0, 0.0));
    validate(r, e, log);
    *ckpt.add_history() = e;
    ckpt.set_epochs_done(epoch);
    if (!ckpt_path.empty()) {
      capture_state(model, opt, ckpt);
      save_checkpoint(ckpt_path, ckpt);
    }
    if (epoch == c.stop_after_epochs) return TrainResult{0, 0, 0, epoch, opt.steps(), {}};
  }
  return finish(r, ckpt, log);
}

}  // namespace odimo::mapper
