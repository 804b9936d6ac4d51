#include "mapper/search/search_run.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <numeric>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>

#include "mapper/cost/cost_report.h"
#include "mapper/data/data.h"
#include "mapper/nn/model.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/search/export.h"
#include "mapper/search/mapping_validation.h"
#include "mapper/search/quantization.h"
#include "mapper/search/refine.h"
#include "mapper/search/search_nodes.h"
#include "mapper/search_files/search_config.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/epoch_loop.h"
#include "mapper/train/initial_weights.h"
#include "mapper/train/optim.h"
#include "mapper/train/trainer.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::search {
namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  const SearchConfig& cfg;
  const SocDescription& soc;
  Network net;
  mapper::DataSplits data;
  std::vector<SearchableLayer> space;
  std::vector<LayerArch*> archs;
  std::unique_ptr<mapper::Model> model;
  std::unique_ptr<NetworkCost> cost;
  double reference = 1;                 // cost of the all-default mapping
  mapper::StatisticsImages statistics;  // for validate(): fixed training images
};

std::vector<std::vector<int>> assignments(const Run& r) {
  std::vector<std::vector<int>> a;
  for (LayerArch* arch : r.archs) a.push_back(arch->assignment());
  return a;
}

double discrete_cost(const Run& r, const std::vector<std::vector<int>>& a) {
  double c = r.cost->fixed();
  for (size_t s = 0; s < a.size(); ++s)
    c += r.cost->layer(s, NetworkCost::counts(a[s], r.archs[s]->options()), 0, nullptr);
  return c;
}

// mapping_validation.h: the network as it would be exported now.
mapper::Evaluation validate(Run& r) {
  return validate_mapping(*r.model, r.archs, r.data.validation, r.data.mean, r.data.stddev, r.statistics,
                          r.cfg.batch);
}

std::map<std::string, int64_t> channels_per_cu(const Run& r, const std::vector<std::vector<int>>& a) {
  std::map<std::string, int64_t> out;
  for (size_t s = 0; s < a.size(); ++s) {
    const auto n = NetworkCost::counts(a[s], r.archs[s]->options());
    for (size_t i = 0; i < n.size(); ++i) out[r.soc.soc.cu(r.space[s].cus[i]).name()] += int64_t(n[i]);
  }
  return out;
}

// lambda * dR/dalpha (R relative to the reference) into the architecture gradients; returns R.
double add_cost_gradients(Run& r) {
  double expected = r.cost->fixed();
  std::vector<double> g;
  for (size_t s = 0; s < r.archs.size(); ++s) {
    const std::vector<double> n = r.archs[s]->expected_channels();
    expected += r.cost->layer(s, n, r.cfg.rel_temperature, &g);
    r.archs[s]->add_cost_gradient(g, r.cfg.lambda / r.reference);
  }
  return expected;
}

// The search's data recipe: no augmentation for fixed-size sets; image folders still need their
// crop to the network input: random-resized + flip, per image (mapper/data/image_folder.h).
mapper::Augment search_augment(const mapper::Dataset& d) {
  return d.folder() ? mapper::Augment{0, true} : mapper::Augment{};
}

// The record of a trained epoch: its training tally, the validation accuracy of the mapping as
// it would be exported now, its discrete and expected cost, temperature and channels per CU.
proto::SearchEpoch epoch_record(Run& r, const std::string& phase, int epoch, const mapper::EpochTally& t,
                                std::optional<double> expected) {
  proto::SearchEpoch e;
  e.set_epoch(epoch);
  e.set_phase(phase);
  e.set_train_loss(t.loss());
  e.set_train_accuracy(t.accuracy());
  // At the training batch: activations keep their largest size, so evaluating 500 images at
  // once made every activation (value + gradient) 3.9x larger than training needs (ResNet-20:
  // 2.1 GB peak instead of 0.6 GB; mapper/RESULTS.md, "Search memory").
  e.set_val_accuracy(validate(r).accuracy);
  const auto a = assignments(r);
  e.set_cost(discrete_cost(r, a));
  e.set_expected_cost(expected ? *expected : e.cost());
  e.set_temperature(r.archs.empty() ? 0.0 : r.archs[0]->temperature());
  for (const auto& [cu, n] : channels_per_cu(r, a)) (*e.mutable_channels())[cu] = n;
  return e;
}

// The search's progress: one line per epoch, once it is validated and costed.
void log_epoch(const Run& r, const proto::SearchEpoch& e, double seconds, std::ostream& log) {
  log << std::setw(8) << e.phase() << " " << std::setw(3) << e.epoch() << "  loss " << std::fixed
      << std::setprecision(3) << e.train_loss() << "  train " << std::setprecision(2)
      << 100 * e.train_accuracy() << " %  val " << 100 * e.val_accuracy() << " %  cost "
      << std::setprecision(3) << e.cost() / r.reference << "x  lambda*cost "
      << r.cfg.lambda * e.expected_cost() / r.reference << "  ";
  const std::map<std::string, int64_t> channels(e.channels().begin(), e.channels().end());
  for (const auto& [cu, n] : channels) log << cu << ":" << n << " ";  // sorted by name
  log << " (" << std::setprecision(1) << seconds << " s)\n" << std::flush;
}

// One epoch of a training phase through the training loop (mapper/train/epoch_loop.h, the
// search's seeding rule). Each step: the weights' SGD step at a learning-rate factor going
// linearly from lr_factor_start to lr_factor_end over the epoch; with `arch` (the search phase)
// first lambda * dR/dalpha into the architecture gradients, then its Adam step and projection.
proto::SearchEpoch train_epoch(Run& r, const std::string& phase, int epoch, mapper::Optimizer& weights,
                               mapper::Optimizer* arch, double lr_factor_start, double lr_factor_end,
                               std::ostream& log) {
  const auto t0 = Clock::now();
  const SearchConfig& c = r.cfg;
  const mapper::Dataset& d = r.data.train;
  double expected = 0;
  mapper::Epoch ep{*r.model, r.data};
  ep.augment = search_augment(d);
  ep.batch = c.batch, ep.seed = c.seed, ep.epoch = epoch;
  ep.steps = mapper::epoch_steps(d.size(), c.batch, c.steps_per_epoch);
  ep.draws = mapper::epoch_order(mapper::SeedingRule::kSearch, c.seed, epoch, d.size());
  ep.divergence = [&](int64_t, double loss) {
    return "search diverged: loss " + std::to_string(loss) + " in " + phase + " epoch " +
           std::to_string(epoch) + " (try a lower --lr or --lambda)";
  };
  ep.update = [&](int64_t s, int64_t steps) {
    if (arch) expected = add_cost_gradients(r);
    const double f =
        lr_factor_start + (lr_factor_end - lr_factor_start) * double(s) / double(std::max<int64_t>(1, steps));
    weights.step(f);
    if (!arch) return;
    arch->step(1.0);
    for (LayerArch* a : r.archs) a->project();
  };
  const mapper::EpochTally t = mapper::run_epoch(ep);
  const proto::SearchEpoch e =
      epoch_record(r, phase, epoch, t, arch ? std::optional<double>(expected) : std::nullopt);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();  // log only
  if (c.progress) log_epoch(r, e, seconds, log);
  return e;
}

// The images batch-norm statistics are re-estimated on before a mapping is validated: the
// first kStatisticsBatches batches of the training set in file order, centre crops.
constexpr int kStatisticsBatches = 8;

mapper::StatisticsImages statistics_images(const Run& r) {
  const mapper::Dataset& d = r.data.train;
  mapper::StatisticsImages s;
  s.n = std::min<int>(kStatisticsBatches * r.cfg.batch, d.size());
  s.per_image = d.input().elements();
  std::vector<int> idx(static_cast<size_t>(s.n)), y(static_cast<size_t>(s.n));
  std::iota(idx.begin(), idx.end(), 0);
  s.x.resize(size_t(s.n) * size_t(s.per_image));
  std::mt19937_64 rng(r.cfg.seed);  // unused by centre crops and fixed-size sets
  for (int i = 0; i < s.n; i += r.cfg.batch)
    mapper::fill_batch(d, idx.data() + i, std::min(r.cfg.batch, s.n - i), r.data.mean, r.data.stddev, {}, rng,
                       r.cfg.seed, 0, s.x.data() + size_t(i) * size_t(s.per_image), y.data() + i);
  return s;
}

void log_refined_layer(const Run& r, size_t s, const SplitChoice& c, std::ostream& log) {
  const SearchableLayer& l = r.space[s];
  log << "  refine " << l.layer_name << " (" << r.soc.soc.cu(l.cus[0]).name() << "/"
      << r.soc.soc.cu(l.cus[1]).name() << "): " << c.learned << "/" << l.channels - c.learned << " -> "
      << c.proposed << "/" << l.channels - c.proposed << " cost " << std::fixed << std::showpos
      << std::setprecision(4) << c.proposed_cost_change / r.reference << "x, loss est. "
      << std::setprecision(5) << c.loss_change << ", measured val loss " << c.measured_change << " acc "
      << std::setprecision(2) << 100 * c.measured_accuracy_change << std::noshowpos << " pt"
      << (c.refined == c.proposed ? ": taken" : ": refused") << "\n";
}

proto::SearchEpoch refine_epoch(Run& r, int epoch, std::ostream& log) {
  const auto learned = assignments(r);
  const Refinement ref = refine_mapping(*r.cost, r.archs, r.cfg.lambda / r.reference, [&r] {
    const mapper::Evaluation ev = validate(r);
    return Measurement{ev.loss, ev.accuracy};
  });
  for (size_t s = 0; s < r.archs.size(); ++s) {
    const SplitChoice& c = ref.layers[s];
    if (c.proposed == c.learned) continue;
    if (r.cfg.progress) log_refined_layer(r, s, c, log);
    if (c.refined != c.learned) r.archs[s]->force(ref.assignments[s]);
  }
  proto::SearchEpoch e;
  e.set_epoch(epoch);
  e.set_phase("refine");
  e.set_val_accuracy(validate(r).accuracy);
  e.set_cost(discrete_cost(r, ref.assignments));
  e.set_expected_cost(discrete_cost(r, learned));
  e.set_temperature(r.archs.empty() ? 0.0 : r.archs[0]->temperature());
  for (const auto& [cu, n] : channels_per_cu(r, ref.assignments)) (*e.mutable_channels())[cu] = n;
  if (r.cfg.progress)
    log << "  refine: cost " << std::fixed << std::setprecision(3) << e.expected_cost() / r.reference
        << "x -> " << e.cost() / r.reference << "x  val " << std::setprecision(2) << 100 * e.val_accuracy()
        << " %\n"
        << std::flush;
  return e;
}

std::vector<mapper::Parameter*> group_parameters(Run& r, bool arch_params) {
  std::vector<mapper::Parameter*> ps;
  for (auto* p : r.model->parameters())
    if ((p->group == mapper::ParamGroup::kArchitecture) == arch_params) ps.push_back(p);
  return ps;
}

// The training state across epochs: optimizers, the report's epochs, the best fine-tune
// weights; saved after every epoch to DIR/search-checkpoint.pb, restored by --resume.
struct Progress {
  mapper::Optimizer weights, arch;
  proto::SearchReport rep;
  proto::SearchCheckpoint ckpt;  // fingerprint, best_val_accuracy, best
  std::string path;              // empty: no checkpoints
  int done = 0;                  // epochs restored from the checkpoint
  bool stopped = false;          // SearchConfig::stop_after_epochs reached
};

void save_progress(Run& r, Progress& p, int epoch) {
  if (p.path.empty()) return;
  p.ckpt.set_epochs_done(epoch);
  mapper::capture_state(group_parameters(r, false), r.model->buffers(), p.weights, *p.ckpt.mutable_weights());
  mapper::capture_state(group_parameters(r, true), {}, p.arch, *p.ckpt.mutable_arch());
  *p.ckpt.mutable_epochs() = p.rep.epochs();
  write_binary_proto(p.path, p.ckpt);
  p.stopped = epoch == r.cfg.stop_after_epochs;
}

void resume_progress(Run& r, Progress& p, std::ostream& log) {
  if (!r.cfg.resume || p.path.empty() || !mapper::checkpoint_to_resume(p.path, log)) return;
  proto::SearchCheckpoint c;
  read_binary_proto(p.path, &c);
  for (const proto::Checkpoint* part : {&c.weights(), &c.arch(), &c.best()})
    mapper::check_values(*part, p.path);
  mapper::check_fingerprint(p.path, c.fingerprint(), p.ckpt.fingerprint(), "search");
  std::vector<int> numbers;  // the training epochs' records (a refinement repeats its epoch's number)
  for (const auto& e : c.epochs())
    if (e.phase() != "refine") numbers.push_back(e.epoch());
  const int ft = std::max(1, r.cfg.finetune_epochs);
  mapper::check_epochs_done(
      c.epochs_done(), r.cfg.fixed ? ft : r.cfg.warmup_epochs + r.cfg.search_epochs + ft, numbers, p.path);
  mapper::restore_state(c.weights(), p.path, group_parameters(r, false), r.model->buffers(), p.weights);
  mapper::restore_state(c.arch(), p.path, group_parameters(r, true), {}, p.arch);
  *p.rep.mutable_epochs() = c.epochs();
  p.done = c.epochs_done();
  p.ckpt = c;
  log << "resumed from " << p.path << " after epoch " << p.done << "\n" << std::flush;
}

// Warmup, search, fine-tune; epochs already in the checkpoint are skipped (their
// temperatures still set), the model ends with the best fine-tune weights.
void train_phases(Run& r, Progress& p, std::ostream& log) {
  const SearchConfig& cfg = r.cfg;
  int epoch = 0;
  auto epoch_of = [&](const std::string& phase, mapper::Optimizer* arch, double f0, double f1) {
    if (++epoch <= p.done || p.stopped) return false;
    *p.rep.add_epochs() = train_epoch(r, phase, epoch, p.weights, arch, f0, f1, log);
    return true;
  };
  if (!cfg.fixed) {
    for (LayerArch* a : r.archs) a->set_learning(false);  // the warmup takes no architecture step
    for (int e = 0; e < cfg.warmup_epochs; ++e)
      if (epoch_of("warmup", nullptr, 1.0, 1.0)) save_progress(r, p, epoch);
    for (LayerArch* a : r.archs) a->set_learning(true);
    for (int e = 1; e <= cfg.search_epochs; ++e) {
      // ODiMO anneals T <- T e^-0.045 per epoch over 200 epochs; here T reaches
      // final_temperature at the end of the search, whatever its length.
      const double t =
          cfg.compat ? std::exp(-0.045 * e) : std::pow(cfg.final_temperature, double(e) / cfg.search_epochs);
      for (LayerArch* a : r.archs) a->set_temperature(t), a->reset_switch_statistics();
      if (!epoch_of("search", &p.arch, 1.0, 1.0)) continue;
      if (cfg.refine && e == cfg.search_epochs) *p.rep.add_epochs() = refine_epoch(r, epoch, log);
      save_progress(r, p, epoch);
    }
  }
  for (LayerArch* a : r.archs) a->freeze();
  const auto values = r.model->parameters();
  const int ft = std::max(1, cfg.finetune_epochs);
  for (int e = 0; e < ft; ++e) {
    // cosine decay of the weights' learning rate over the fine-tune
    const double f0 = 0.5 * (1 + std::cos(M_PI * e / ft)), f1 = 0.5 * (1 + std::cos(M_PI * (e + 1) / ft));
    if (!epoch_of("finetune", nullptr, f0, f1)) continue;
    const double val = p.rep.epochs(p.rep.epochs_size() - 1).val_accuracy();
    if (val > p.ckpt.best_val_accuracy()) {
      p.ckpt.set_best_val_accuracy(val);
      mapper::capture_values(values, r.model->buffers(), *p.ckpt.mutable_best());
    }
    save_progress(r, p, epoch);
  }
  if (!p.stopped)
    mapper::restore_values(p.ckpt.best(), "the best fine-tune weights", values, r.model->buffers());
}

mapper::Optimizer make_optimizer(Run& r, bool arch_params) {
  std::array<mapper::GroupHyper, mapper::kParamGroups> h{};
  h[int(mapper::ParamGroup::kWeights)].lr = r.cfg.lr;
  h[int(mapper::ParamGroup::kWeights)].weight_decay = 5e-4;
  h[int(mapper::ParamGroup::kQuantizer)].lr = r.cfg.lr / 100;
  h[int(mapper::ParamGroup::kArchitecture)].lr = r.cfg.arch_lr;
  return mapper::Optimizer(arch_params ? mapper::OptimizerKind::kAdam : mapper::OptimizerKind::kSgd,
                           group_parameters(r, arch_params), h);
}

}  // namespace

namespace {

void take_shared_fields(const proto::SearchConfig& p, SearchConfig& c) {
  c.net = p.net();
  c.dataset = p.dataset();
  c.warmup_epochs = p.warmup_epochs(), c.search_epochs = p.search_epochs(),
  c.finetune_epochs = p.finetune_epochs();
  c.batch = p.batch(), c.steps_per_epoch = p.steps_per_epoch(), c.threads = p.threads();
  c.seed = p.seed();
  c.lr = p.lr(), c.arch_lr = p.arch_lr();
  c.compat = p.compat(), c.refine = p.refine();
  c.adc_aware = p.adc_aware();
  // At most one form is set (check_search_config); the fraction's default is 0.
  c.adc_noise = p.has_adc_noise_lsb() ? ReadNoise::lsb(p.adc_noise_lsb()) : ReadNoise(p.adc_noise());
  c.init = p.init();
  c.conv_branch_threshold = p.conv_branch_threshold();
}

}  // namespace

SearchConfig::SearchConfig() {
  take_shared_fields(default_search_config(), *this);
}

SearchConfig engine_config(const proto::SearchConfig& p) {
  SearchConfig c;
  take_shared_fields(p, c);
  if (!p.input().empty()) c.input = parse_shape(p.input(), "input");
  c.target = parse_target(p.target());
  if (p.has_lambda()) c.lambda = p.lambda();
  std::ostringstream lambda;
  lambda << "lambda=" << c.lambda;
  c.label = !p.label().empty() ? p.label() : p.has_lambda() ? lambda.str() : p.baseline();
  return c;
}

std::string search_fingerprint(const SearchConfig& c, const std::string& soc, const std::string& cost_model) {
  std::ostringstream s;
  s << std::setprecision(17) << "net=" << c.net << " input=" << (c.input ? c.input->str() : "default")
    << " dataset=" << c.dataset << " soc=" << soc << " model=" << cost_model << " lambda=" << c.lambda
    << " target=" << target_name(c.target) << " epochs=" << c.warmup_epochs << "," << c.search_epochs << ","
    << c.finetune_epochs << " batch=" << c.batch << " steps/epoch=" << c.steps_per_epoch
    << " threads=" << c.threads << " seed=" << c.seed << " lr=" << c.lr << " arch_lr=" << c.arch_lr
    << " temperatures=" << c.rel_temperature << "/" << c.final_temperature << " compat=" << c.compat
    << " val=" << c.val_fraction << " refine=" << c.refine;
  if (!c.init.empty()) s << " init=" << c.init;
  if (c.init_assignment) {
    s << " init_assignment=";
    for (const auto& layer : *c.init_assignment) {
      for (int cu : layer) s << cu;
      s << ";";
    }
  }
  // A fraction prints as the double did ("0.050000000000000003"), LSBs with "lsb" after it.
  if (c.adc_aware) s << " adc_aware=1 adc_noise=" << c.adc_noise;
  s << " fixed=";
  if (c.fixed)
    for (const auto& layer : *c.fixed) {
      for (int cu : layer) s << cu;
      s << ";";
    }
  // Only when set: a checkpoint of the full conv branch resumes under threshold 0.
  if (c.conv_branch_threshold > 0) s << " conv_branch_threshold=" << c.conv_branch_threshold;
  return s.str();
}

namespace {
void check_adc_options(const SearchConfig& cfg, const SocDescription& soc) {
  if (!cfg.adc_noise.none() && !cfg.adc_aware)
    throw Error("--adc-noise: " + cfg.adc_noise.text() + ": needs --adc-aware");
  if (!cfg.adc_aware) return;
  for (const auto& unit : soc.units)
    if (unit->number_format().adc) return;
  throw Error("--adc-aware: SoC " + soc.name() + " has no CU with an ADC");
}
}  // namespace

std::unique_ptr<mapper::Model> make_search_model(const Network& net, const SocDescription& soc,
                                                 const std::vector<SearchableLayer>& space, uint64_t seed,
                                                 int threads, bool compat, std::vector<LayerArch*>* archs,
                                                 const mapper::AdcTraining* adc) {
  mapper::ModelOptions mo;
  // Layers outside the search run on the default CU (or the fallback), in its number format.
  mo.quant = quantization_on(soc, soc.cu_index(soc.soc.default_cu()), soc.name());
  mo.seed = seed;
  mo.threads = threads;
  mo.node_factory = search_node_factory(soc, space, compat, archs, adc);
  return std::make_unique<mapper::Model>(net, mo);
}

namespace {

// The network, data, search model, cost and reference of one search, ready to train.
void prepare_run(Run& r, const SearchConfig& cfg, const SocDescription& soc,
                 const cost::CostModel& cost_model, std::ostream& log) {
  r.space = search_space(r.net, soc);
  check_adc_options(cfg, soc);
  if (r.space.empty())
    throw Error("network '" + r.net.name + "' has no layer the search can split on " + soc.name());
  mapper::check_training_memory(r.net, cfg.batch);
  r.data = mapper::load_dataset_for(r.net, cfg.dataset, cfg.val_fraction, cfg.seed, cfg.threads);
  mapper::AdcTraining adc;
  adc.noise = cfg.adc_noise;
  adc.seed = cfg.seed;
  adc.mismatch = !cfg.adc_noise.none();  // noise-aware: the non-ideal chip, mismatch included
  r.model = make_search_model(r.net, soc, r.space, cfg.seed, cfg.threads, cfg.compat, &r.archs,
                              cfg.adc_aware ? &adc : nullptr);
  mapper::configure_adc(*r.model, mapper::int8_input_shift(r.data));
  set_conv_branch_threshold(*r.model, r.space, cfg.conv_branch_threshold);
  if (!cfg.init.empty()) log << mapper::load_initial_weights(cfg.init, *r.model) << "\n";
  if (!cfg.init.empty() && cfg.init_assignment)
    rederive_idle_quantizers(*r.model, r.space, *cfg.init_assignment);
  r.cost = std::make_unique<NetworkCost>(r.net, soc, cost_model, r.space, cfg.target);
  r.reference = discrete_cost(r, all_on(r.space, soc, soc.soc.default_cu()));
  r.statistics = statistics_images(r);
}

// The report's description of the run (everything but its epochs and results).
void describe_run(const Run& r, proto::SearchReport& rep, const std::string& cost_model) {
  const SearchConfig& cfg = r.cfg;
  rep.set_label(cfg.label);
  rep.set_kind(cfg.fixed ? "baseline" : "search");
  rep.set_soc(r.soc.name());
  rep.set_network(r.net.name);
  rep.set_input(r.net.input.str());
  rep.set_dataset(cfg.dataset);
  // Relative to the report's folder: a sweep's points read "../point-000/checkpoint.pb" in
  // every mode and wherever OUT is, so their reports stay byte-identical.
  if (!cfg.init.empty())
    rep.set_init(std::filesystem::absolute(cfg.init)
                     .lexically_normal()
                     .lexically_relative(std::filesystem::absolute(cfg.out_dir).lexically_normal())
                     .generic_string());
  rep.set_lambda(cfg.fixed ? 0 : cfg.lambda);
  rep.set_target(target_name(cfg.target));
  rep.set_cost_model(cost_model);
  rep.set_seed(cfg.seed);
  rep.set_warmup_epochs(cfg.fixed ? 0 : cfg.warmup_epochs);
  rep.set_search_epochs(cfg.fixed ? 0 : cfg.search_epochs);
  rep.set_finetune_epochs(std::max(1, cfg.finetune_epochs));
}

// mapping.pbtxt and weights.pb into the output folder, named in the report.
void write_result_files(Run& r, const proto::Mapping& mapping, proto::SearchReport& rep) {
  const std::string& dir = r.cfg.out_dir;
  if (dir.empty()) return;
  write_text_proto(dir + "/mapping.pbtxt", mapping);
  // The trained weights (parameters and batch-norm statistics; no optimizer state).
  proto::Checkpoint ckpt;
  mapper::capture_values(r.model->parameters(), r.model->buffers(), ckpt);
  mapper::save_checkpoint(dir + "/weights.pb", ckpt);
  rep.set_mapping_file("mapping.pbtxt");
  rep.set_weights_file("weights.pb");
}

}  // namespace

proto::SearchReport run_search(const SearchConfig& cfg, const SocDescription& soc,
                               const cost::CostModel& cost_model, const cost::CostModel& compat,
                               std::ostream& log) {
  Run r{cfg, soc, load_network(cfg.net, cfg.input), {}, {}, {}, {}, {}, 1, {}};
  prepare_run(r, cfg, soc, cost_model, log);
  Progress p{make_optimizer(r, false), make_optimizer(r, true), {}, {}, {}, 0};
  if (cfg.fixed)
    for (size_t s = 0; s < r.archs.size(); ++s) r.archs[s]->force((*cfg.fixed)[s]);
  p.ckpt.set_fingerprint(search_fingerprint(cfg, soc.name(), cost_model.name()));
  p.ckpt.set_best_val_accuracy(-1);
  p.path = mapper::checkpoint_path(cfg.out_dir, "search-checkpoint.pb");
  resume_progress(r, p, log);
  train_phases(r, p, log);
  if (p.stopped) return {};
  proto::SearchReport& rep = p.rep;
  const auto a = assignments(r);
  const proto::Mapping mapping = export_mapping(r.net, soc, r.space, a);
  const ResolvedMapping resolved = resolve_mapping(r.net, soc, mapping, "search");
  const proto::Report analytic = cost::predict_network(r.net, soc, resolved, cost_model, "");
  const proto::Report old = cost::predict_network(r.net, soc, resolved, compat, "");
  describe_run(r, rep, cost_model.name());
  rep.set_best_val_accuracy(p.ckpt.best_val_accuracy());
  rep.set_test_accuracy(
      mapper::evaluate(*r.model, r.data.test, r.data.mean, r.data.stddev, cfg.batch).accuracy);
  for (const auto& [cu, n] : channels_per_cu(r, a)) (*rep.mutable_channels())[cu] = n;
  for (auto [rp, out] : {std::pair{&analytic, rep.mutable_analytic()}, {&old, rep.mutable_compat()}}) {
    out->set_cycles(rp->total().cycles());
    out->set_latency_us(rp->total().latency_us());
    out->set_energy_uj(rp->total().energy_uj());
  }
  write_result_files(r, mapping, rep);
  return rep;
}

}  // namespace odimo::search
