// odimo deploy: rebuild the search model from DIR, convert, calibrate, run (deploy_run.h).
#include "mapper/deploy/deploy_run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <ostream>

#include "hw/mapping.h"
#include "mapper/data/data.h"
#include "mapper/deploy/integer_network.h"
#include "mapper/nn/adc.h"
#include "mapper/search/search_run.h"
#include "mapper/search/search_space.h"
#include "mapper/search_files/search_report.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/progress.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"

namespace odimo::deploy {
namespace {

// An ADC-aware checkpoint (mapper/nn/adc.h) carries the trained ADC gains as buffers.
bool adc_aware(const proto::Checkpoint& c) {
  for (const auto& t : c.buffers())
    if (t.name().size() > 10 && t.name().compare(t.name().size() - 10, 10, ".adc_shift") == 0) return true;
  return false;
}

}  // namespace

// Output channel -> CU index of every layer, from the mapping file (listed layers) or
// the resolved mapping's single share.
std::vector<std::vector<int>> channel_cus(const Network& net, const SocDescription& soc,
                                          const proto::Mapping& m, const ResolvedMapping& resolved,
                                          const std::string& origin) {
  std::vector<std::vector<int>> out(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (!l.has_weights()) continue;
    const LayerSplit& s = resolved.layers[i];
    if (s.shares.empty()) throw Error(origin + ": layer '" + l.name + "' runs on no CU");
    out[i].assign(l.out_channels, soc.cu_index(s.shares[0].cu));
  }
  for (const proto::LayerMapping& lm : m.layer()) {
    const int i = net.find(lm.layer());
    if (i < 0 || !net.layers[i].has_weights()) continue;
    for (const proto::CuChannels& sp : lm.split()) {
      const int cu = soc.cu_index(sp.cu());
      std::vector<int> chans(sp.channels().begin(), sp.channels().end());
      if (chans.empty())
        for (int c = sp.first(); c < sp.first() + sp.count(); ++c) chans.push_back(c);
      for (int c : chans) out[i].at(size_t(c)) = cu;
    }
  }
  return out;
}

// The deployment permutation of each layer (identity when the file gives none);
// checked: a permutation, and each CU's channels contiguous in SoC order.
std::vector<std::vector<int>> deployment_orders(const Network& net, const proto::Mapping& m,
                                                const std::vector<std::vector<int>>& cus,
                                                const std::string& origin) {
  std::vector<std::vector<int>> order(net.layers.size());
  for (const proto::LayerMapping& lm : m.layer()) {
    const int i = net.find(lm.layer());
    if (i < 0 || lm.permutation().empty() || !net.layers[i].has_weights()) continue;
    const int C = net.layers[i].out_channels;
    std::vector<int> p(lm.permutation().begin(), lm.permutation().end());
    std::vector<int> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (int c = 0; c < C; ++c)
      if (int(sorted.size()) != C || sorted[c] != c)
        throw Error(origin + ": layer '" + lm.layer() + "': field 'permutation': not a permutation of its " +
                    std::to_string(C) + " channels");
    for (int j = 1; j < C; ++j)
      if (cus[i][p[j]] < cus[i][p[j - 1]])
        throw Error(origin + ": layer '" + lm.layer() +
                    "': field 'permutation': does not group the channels by CU in SoC order");
    order[i] = p;
  }
  return order;
}

// The relaxations frozen to the mapping's assignment.
void freeze_to_mapping(const std::vector<search::SearchableLayer>& space,
                       std::vector<search::LayerArch*>& archs, const std::vector<std::vector<int>>& cus) {
  for (size_t s = 0; s < space.size(); ++s) {
    std::vector<int> a(space[s].channels, 0);
    for (int c = 0; c < space[s].channels; ++c) {
      const auto& opts = space[s].cus;
      const auto it = std::find(opts.begin(), opts.end(), cus[space[s].layer][c]);
      if (it == opts.end())
        throw Error("layer '" + space[s].layer_name +
                    "': the mapping puts a channel on a CU it cannot search");
      a[c] = int(it - opts.begin());
    }
    archs[s]->force(a);
    archs[s]->freeze();
  }
}

std::vector<float> normalised_images(const mapper::Dataset& d, const mapper::DataSplits& s, int n) {
  std::vector<int> idx(n), y(n);
  for (int i = 0; i < n; ++i) idx[i] = i;
  // As the training engine evaluates: whole images, or an image folder's centre crop.
  std::vector<float> x(size_t(n) * d.input().elements());
  std::mt19937_64 rng(1);
  mapper::fill_batch(d, idx.data(), n, s.mean, s.stddev, mapper::Augment{}, rng, 0, 0, x.data(), y.data());
  return x;
}

// ADC gains: from an ADC-aware checkpoint (buffer <layer>.adc_shift), else the smallest
// shift that keeps the largest column sum of the calibration images in range.
std::vector<std::string> choose_adc_shifts(IntegerNetwork& net, mapper::Model& model, const float* x, int n,
                                           int64_t image_elems) {
  std::vector<std::string> source(net.weighted_count(), "");
  std::vector<double> max_sum(net.weighted_count(), 0);
  RunSettings ideal;
  ideal.ideal_adc = true;
  for (int i = 0; i < n; ++i) {
    const Trace t = net.run(x + i * image_elems, ideal, uint64_t(i));
    for (int w = 0; w < net.weighted_count(); ++w)
      max_sum[w] = std::max(max_sum[w], t.counters[w].max_column_sum);
  }
  const auto buffers = model.buffers();
  for (int w = 0; w < net.weighted_count(); ++w) {
    if (!net.weighted_analog(w)) continue;
    const std::string name = net.weighted_name(w) + ".adc_shift";
    auto it = std::find_if(buffers.begin(), buffers.end(), [&](auto* b) { return b->name == name; });
    if (it != buffers.end() && !(*it)->value.empty() && (*it)->value[0] >= 0) {
      net.set_adc_shift(w, int((*it)->value[0]));
      source[w] = "trained";
      continue;
    }
    net.set_adc_shift(w, adc_shift_for(max_sum[w], net.adc_max(w)));
    source[w] = "calibrated";
  }
  return source;
}

namespace {

void progress(std::ostream& log, bool on, int done, int total, bool final) {
  if (!on || (!final && !isatty(STDERR_FILENO))) return;
  log << "\rdeploy " << mapper::progress_bar(done, total) << " " << done << "/" << total
      << (final ? "\n" : "") << std::flush;
}

}  // namespace

std::string deployed_file(const DeployConfig& cfg) {
  return cfg.out.empty() ? cfg.dir + "/deployed.json" : cfg.out;
}

bool records_in_report(const DeployConfig& cfg) {
  if (cfg.out.empty()) return true;
  namespace fs = std::filesystem;
  const fs::path a = absolute_path(output_target(cfg.out));
  const fs::path b = absolute_path(output_target(cfg.dir + "/deployed.json"));
  std::error_code ec;
  return a == b || fs::equivalent(a, b, ec);
}

namespace {

// A search or sweep point loaded for deployment: its report, SoC, network, the search model
// with the trained weights, frozen to the point's mapping. Not movable: the model refers to
// the SoC and the search space.
// DIR/report.json, which must name a mapping and weights (a search result folder).
proto::SearchReport read_deployable_report(const std::string& dir) {
  proto::SearchReport rep = search::read_search_report(dir);
  const std::string origin = dir + "/report.json";
  if (rep.mapping_file().empty())
    throw Error(origin + ": field 'mapping_file': value \"\" must name the mapping (a search result folder)");
  if (rep.weights_file().empty())
    throw Error(origin + ": field 'weights_file': value \"\" must name the trained weights");
  return rep;
}

struct LoadedPoint {
  proto::SearchReport rep;
  std::string origin;  // DIR/report.json
  SocDescription soc;
  Network net;
  std::vector<search::SearchableLayer> space;
  std::vector<search::LayerArch*> archs;
  mapper::AdcTraining adc;  // the training-time forward, ADC included, when it was trained so
  std::unique_ptr<mapper::Model> model;
  proto::Mapping mapping;
  std::string mapping_path;
  std::vector<std::vector<int>> cus;  // per layer and channel

  explicit LoadedPoint(const std::string& dir)
      : rep(read_deployable_report(dir)),
        origin(dir + "/report.json"),
        soc(load_soc(search::soc_source(rep))),
        net(load_network(search::network_source(rep), parse_shape(rep.input(), origin + ": field 'input'"))) {
    search::check_loaded_names(rep, origin, soc.name(), net.name);
    space = search::search_space(net, soc);
    // one thread: the fake-quantized logits (max_logit_deviation) must not depend on --threads
    const std::string wpath = dir + "/" + rep.weights_file();
    const proto::Checkpoint weights = mapper::load_checkpoint(wpath);
    model = search::make_search_model(net, soc, space, rep.seed(), 1, false, &archs,
                                      adc_aware(weights) ? &adc : nullptr);
    mapper::restore_weights(weights, wpath, *model);
    mapping_path = dir + "/" + rep.mapping_file();
    read_text_proto(mapping_path, &mapping);
    const ResolvedMapping resolved = resolve_mapping(net, soc, mapping, mapping_path);
    cus = channel_cus(net, soc, mapping, resolved, mapping_path);
    freeze_to_mapping(space, archs, cus);
  }
  LoadedPoint(const LoadedPoint&) = delete;
  LoadedPoint& operator=(const LoadedPoint&) = delete;
};

// The training engine's fake-quantized logits of n images, [image * classes + k].
std::vector<float> fake_quantized_logits(mapper::Model& model, const float* x, int n, int64_t elems,
                                         int classes) {
  std::vector<float> fake(size_t(n) * classes);
  for (int b = 0; b < n; b += 100) {
    const int m = std::min(100, n - b);
    const auto& out = model.forward(x + b * elems, m, false, nullptr);
    std::copy(out.value.begin(), out.value.begin() + int64_t(m) * classes,
              fake.begin() + int64_t(b) * classes);
  }
  return fake;
}

// Per image: the integer network's class, the fake-quantized one's, the largest logit
// difference; per weighted layer: the ADC's conversions and clipped conversions.
struct IntegerResults {
  std::vector<int> pred, fake_pred;
  std::vector<double> deviation;
  std::vector<LayerCounters> layers;
};

// The integer network on n images split over the threads (per-image results: deterministic),
// with `rs`'s noise and chip instance.
IntegerResults run_integer(IntegerNetwork& inet, const float* x, const std::vector<float>& fake, int n,
                           int64_t elems, int classes, const RunSettings& rs, const DeployConfig& cfg,
                           std::ostream& log) {
  IntegerResults r{std::vector<int>(n), std::vector<int>(n), std::vector<double>(n),
                   std::vector<LayerCounters>(inet.weighted_count())};
  const int threads = std::max(1, cfg.threads);
  std::vector<std::vector<LayerCounters>> counters(threads,
                                                   std::vector<LayerCounters>(inet.weighted_count()));
  mapper::for_each_thread(
      threads,
      [&](int t) {
        for (int i = mapper::share_begin(n, t, threads); i < mapper::share_end(n, t, threads); ++i) {
          const Trace tr = inet.run(x + i * elems, rs, uint64_t(i));
          const float* f = &fake[size_t(i) * classes];
          r.pred[i] = int(std::max_element(tr.logits.begin(), tr.logits.end()) - tr.logits.begin());
          r.fake_pred[i] = int(std::max_element(f, f + classes) - f);
          for (int k = 0; k < classes; ++k)
            r.deviation[i] = std::max(r.deviation[i], std::fabs(tr.logits[k] - double(f[k])));
          for (int w = 0; w < inet.weighted_count(); ++w) {
            counters[t][w].conversions += tr.counters[w].conversions;
            counters[t][w].clipped += tr.counters[w].clipped;
          }
          if (t == 0) progress(log, cfg.progress, (i + 1) * threads, n, false);
        }
      },
      int64_t(1) << 40);
  progress(log, cfg.progress, n, n, true);
  for (int t = 0; t < threads; ++t)  // in thread order
    for (int w = 0; w < inet.weighted_count(); ++w) {
      r.layers[w].conversions += counters[t][w].conversions;
      r.layers[w].clipped += counters[t][w].clipped;
    }
  return r;
}

// The share of `pred` (images 0, 1, ... of the test set, repeated per chip instance) that
// the labels confirm.
double accuracy(const std::vector<int>& pred, const std::vector<uint16_t>& labels, int images) {
  int64_t right = 0;
  for (size_t i = 0; i < pred.size(); ++i) right += pred[i] == labels[i % size_t(images)];
  return double(right) / double(std::max<size_t>(1, pred.size()));
}

// `a` followed by `b`: the same images on another chip instance.
void append(IntegerResults& a, const IntegerResults& b) {
  a.pred.insert(a.pred.end(), b.pred.begin(), b.pred.end());
  a.fake_pred.insert(a.fake_pred.end(), b.fake_pred.begin(), b.fake_pred.end());
  a.deviation.insert(a.deviation.end(), b.deviation.begin(), b.deviation.end());
  a.layers.resize(b.layers.size());
  for (size_t w = 0; w < b.layers.size(); ++w) {
    a.layers[w].conversions += b.layers[w].conversions;
    a.layers[w].clipped += b.layers[w].clipped;
  }
}

// The test set on cfg.chips chip instances (`run`: the integer network on every test image
// with the given settings): chip k's column mismatch and read noise are seeded by
// (cfg.seed, k). Returns every instance's results, one after the other; `chip_accuracy`
// gets each one's accuracy.
IntegerResults run_chips(const IntegerNetwork& inet,
                         const std::function<IntegerResults(const RunSettings&)>& run,
                         const std::vector<uint16_t>& labels, int images, const DeployConfig& cfg,
                         std::vector<double>& chip_accuracy) {
  IntegerResults all;
  for (int k = 0; k < cfg.chips; ++k) {
    const std::vector<ColumnMismatch> chip = inet.chip_instance(cfg.seed, uint64_t(k));
    RunSettings rs;
    rs.aimc_noise = cfg.aimc_noise;
    rs.noise_seed = chip_seed(cfg.seed, uint64_t(k));
    rs.chip = &chip;
    const IntegerResults r = run(rs);
    chip_accuracy.push_back(accuracy(r.pred, labels, images));
    append(all, r);
  }
  return all;
}

// Accuracies against the labels (`images` test images, once per chip instance), agreement,
// and per weighted layer its CUs, ADC and saturation.
proto::DeployReport summarize(const IntegerResults& r, const std::vector<uint16_t>& labels, int images,
                              IntegerNetwork& inet, const std::vector<std::string>& shift_source,
                              const DeployConfig& cfg, int ncal) {
  const int n = int(r.pred.size());
  proto::DeployReport d;
  int right = 0, fake_right = 0, agree = 0;
  double maxdev = 0;
  for (int i = 0; i < n; ++i) {
    right += r.pred[i] == labels[i % images];
    fake_right += r.fake_pred[i] == labels[i % images];
    agree += r.pred[i] == r.fake_pred[i];
    maxdev = std::max(maxdev, r.deviation[i]);
  }
  d.set_test_accuracy(double(right) / std::max(1, n));
  d.set_trained_test_accuracy(double(fake_right) / std::max(1, n));
  d.set_images(images);
  const IntegerBehaviour aimc = inet.analog_behaviour();
  if (aimc.analog()) {
    d.set_aimc_noise(cfg.aimc_noise.fraction(aimc.adc_bits));
    d.set_aimc_noise_lsb(cfg.aimc_noise.sigma_lsb(aimc.adc_bits));
  } else if (cfg.aimc_noise.in_lsb) {  // no analog layer, no ADC to convert with: as asked
    d.set_aimc_noise_lsb(cfg.aimc_noise.value);
  } else {
    d.set_aimc_noise(cfg.aimc_noise.value);
  }
  d.set_seed(cfg.seed);
  d.set_max_logit_deviation(maxdev);
  d.set_argmax_agreement(double(agree) / std::max(1, n));
  d.set_calibration_images(ncal);
  d.set_input_shift(inet.input_shift());
  int64_t conv = 0, clip = 0;
  for (int w = 0; w < inet.weighted_count(); ++w) {
    proto::DeployedLayer* l = d.add_layers();
    l->set_layer(inet.weighted_name(w));
    l->set_cus(inet.weighted_cus(w));
    l->set_row_tiles(inet.row_tiles(w));
    if (inet.weighted_analog(w)) {
      l->set_adc_shift(inet.adc_shift(w));
      l->set_adc_shift_source(shift_source[w]);
    }
    l->set_conversions(r.layers[w].conversions);
    l->set_clipped(r.layers[w].clipped);
    l->set_saturation(l->conversions() ? double(l->clipped()) / double(l->conversions()) : 0.0);
    conv += l->conversions();
    clip += l->clipped();
  }
  d.set_adc_saturation(conv ? double(clip) / double(conv) : 0.0);
  return d;
}

// The chip instances' accuracies: test_accuracy their mean, each one, the worst, and the
// mismatch they were drawn with.
void record_chips(const std::vector<double>& chip_accuracy, const IntegerBehaviour& aimc,
                  proto::DeployReport& d) {
  double sum = 0;
  for (double a : chip_accuracy) {
    sum += a;
    d.add_chip_test_accuracy(a);
  }
  d.set_chips(int(chip_accuracy.size()));
  d.set_test_accuracy(sum / double(std::max<size_t>(1, chip_accuracy.size())));
  d.set_worst_test_accuracy(*std::min_element(chip_accuracy.begin(), chip_accuracy.end()));
  d.set_column_gain_sigma(aimc.column_gain_sigma);
  d.set_column_offset_sigma_lsb(aimc.column_offset_sigma_lsb);
}

}  // namespace

proto::DeployReport deploy_point(const DeployConfig& cfg, std::ostream& log) {
  LoadedPoint pt(cfg.dir);
  const Network& net = pt.net;
  const std::string dataset = cfg.dataset.empty() ? pt.rep.dataset() : cfg.dataset;
  const mapper::DataSplits data = mapper::load_dataset_for(net, dataset, 0.1, pt.rep.seed(), 2);
  mapper::configure_adc(*pt.model, mapper::int8_input_shift(data));
  IntegerNetwork inet(*pt.model, pt.soc, pt.cus, deployment_orders(net, pt.mapping, pt.cus, pt.mapping_path),
                      mapper::int8_input_shift(data));
  const int64_t elems = net.input.elements();
  const int ncal = std::min(cfg.calibration_images, data.train.size());
  const std::vector<float> cal = normalised_images(data.train, data, ncal);
  const auto source = choose_adc_shifts(inet, *pt.model, cal.data(), ncal, elems);

  const int n = cfg.max_images > 0 ? std::min(cfg.max_images, data.test.size()) : data.test.size();
  const std::vector<float> x = normalised_images(data.test, data, n);
  const int classes = net.layers.back().out.c;  // the logits (an imported network states no class count)
  const std::vector<float> fake = fake_quantized_logits(*pt.model, x.data(), n, elems, classes);
  const auto run = [&](const RunSettings& rs) {
    return run_integer(inet, x.data(), fake, n, elems, classes, rs, cfg, log);
  };
  RunSettings ideal_chip;
  ideal_chip.aimc_noise = cfg.aimc_noise;
  ideal_chip.noise_seed = cfg.seed;
  std::vector<double> chip_accuracy;
  const IntegerResults r =
      cfg.chips > 0 ? run_chips(inet, run, data.test.labels, n, cfg, chip_accuracy) : run(ideal_chip);
  proto::DeployReport d = summarize(r, data.test.labels, n, inet, source, cfg, ncal);
  if (cfg.chips > 0) record_chips(chip_accuracy, inet.analog_behaviour(), d);
  write_file_atomic(deployed_file(cfg), to_json(d));
  if (records_in_report(cfg)) {
    // Only this field: a replay of the point meanwhile keeps its own.
    search::update_search_report(cfg.dir, [&](proto::SearchReport& now) { *now.mutable_deployed() = d; });
  }
  return d;
}

}  // namespace odimo::deploy
