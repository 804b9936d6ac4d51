// The sensitivity baseline (sensitivity.h): the all-digital start, the bit-true evaluator of a
// candidate mapping on the validation images, the decisions and the final fine-tune.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>

#include "mapper/deploy/deploy_run.h"
#include "mapper/deploy/integer_network.h"
#include "mapper/deploy/sensitivity.h"
#include "mapper/nn/batch_norm_statistics.h"
#include "mapper/search/export.h"
#include "mapper/search/network_cost.h"
#include "mapper/search/search_nodes.h"
#include "mapper/search/search_space.h"
#include "mapper/train/initial_weights.h"
#include "proto/error.h"

namespace odimo::deploy {
namespace {

constexpr int kCalibrationImages = 256;  // ADC gains, as odimo deploy's default
constexpr int kStatisticsBatches = 8;    // batch-norm re-estimation, as the search's validation

// The SoC's digital CU (its default) and analog CU (the one with an ADC), and the searchable
// layers offering both.
struct Conversion {
  int digital = -1, analog = -1;        // CU indices
  std::vector<std::vector<int>> start;  // all-digital, option per channel per searchable layer
  std::vector<int> layers;              // searchable-layer index of each candidate
  std::vector<int> analog_option;       // the analog CU's option index in that layer
  std::vector<SensitivityCandidate> candidates;
};

Conversion conversion_of(const Network& net, const SocDescription& soc,
                         const std::vector<search::SearchableLayer>& space) {
  Conversion c;
  c.digital = soc.cu_index(soc.soc.default_cu());
  for (size_t u = 0; u < soc.units.size() && c.analog < 0; ++u)
    if (soc.units[u]->number_format().adc) c.analog = int(u);
  if (c.analog < 0)
    throw Error("--baseline sensitivity: SoC " + soc.name() +
                " has no analog CU (a CU with an ADC) to convert layers to");
  c.start = search::all_on(space, soc, soc.soc.default_cu());
  for (size_t s = 0; s < space.size(); ++s) {
    const auto& cus = space[s].cus;
    const auto d = std::find(cus.begin(), cus.end(), c.digital),
               a = std::find(cus.begin(), cus.end(), c.analog);
    if (d == cus.end() || a == cus.end()) continue;
    c.layers.push_back(int(s));
    c.analog_option.push_back(int(a - cus.begin()));
    c.candidates.push_back({space[s].layer_name, net.layers[space[s].layer].macs});
  }
  if (c.candidates.empty())
    throw Error("--baseline sensitivity: no searchable layer of " + net.name + " can run on both " +
                soc.soc.cu(c.digital).name() + " and " + soc.soc.cu(c.analog).name());
  return c;
}

// The assignment with the candidates where `analog` is true on the analog CU.
std::vector<std::vector<int>> assignment_of(const Conversion& c, const std::vector<bool>& analog) {
  auto a = c.start;
  for (size_t i = 0; i < analog.size(); ++i)
    if (analog[i]) std::fill(a[c.layers[i]].begin(), a[c.layers[i]].end(), c.analog_option[i]);
  return a;
}

// Deploys a mapping of the start weights bit-true on the validation images, on every chip
// instance: the mean accuracy. The search model stays built; each evaluation freezes it to the
// mapping, re-estimates its batch-norm statistics (as the search's validation) and restores them.
class Evaluator {
 public:
  Evaluator(const search::SearchConfig& cfg, const search::SensitivityOptions& o, const SocDescription& soc,
            const Network& net, const std::vector<search::SearchableLayer>& space, const std::string& start,
            const std::vector<std::vector<int>>* start_assignment)
      : m_cfg(cfg), m_opt(o), m_soc(soc), m_net(net), m_space(space) {
    m_data = mapper::load_dataset_for(net, cfg.dataset, cfg.val_fraction, cfg.seed, cfg.threads);
    m_model = search::make_search_model(net, soc, space, cfg.seed, cfg.threads, cfg.compat, &m_archs);
    if (!start.empty()) mapper::load_initial_weights(start, *m_model);
    if (start_assignment) search::rederive_idle_quantizers(*m_model, space, *start_assignment);
    m_elems = net.input.elements();
    const mapper::Dataset& val = m_data.validation;
    if (val.size() == 0) throw Error("--baseline sensitivity: the validation split is empty");
    m_images = o.images > 0 ? std::min(o.images, val.size()) : val.size();
    m_x = normalised_images(val, m_data, m_images);
    m_ncal = std::min(kCalibrationImages, m_data.train.size());
    m_cal = normalised_images(m_data.train, m_data, m_ncal);
    m_stats.n = std::min(kStatisticsBatches * cfg.batch, m_data.train.size());
    m_stats.per_image = m_elems;
    m_stats.x = normalised_images(m_data.train, m_data, m_stats.n);
  }

  int images() const { return m_images; }

  double operator()(const std::vector<std::vector<int>>& assignment) {
    const proto::Mapping mapping = search::export_mapping(m_net, m_soc, m_space, assignment);
    const ResolvedMapping resolved = resolve_mapping(m_net, m_soc, mapping, "sensitivity");
    const auto cus = channel_cus(m_net, m_soc, mapping, resolved, "sensitivity");
    freeze_to_mapping(m_space, m_archs, cus);
    mapper::BufferSnapshot snapshot(*m_model);
    mapper::reestimate_batch_norm(*m_model, m_stats, m_cfg.batch);
    const int shift = mapper::int8_input_shift(m_data);
    IntegerNetwork inet(*m_model, m_soc, cus, deployment_orders(m_net, mapping, cus, "sensitivity"), shift);
    choose_adc_shifts(inet, *m_model, m_cal.data(), m_ncal, m_elems);
    double sum = 0;
    const int chips = std::max(1, m_opt.chips);
    for (int k = 0; k < chips; ++k) {
      std::vector<ColumnMismatch> chip;
      RunSettings rs;
      rs.aimc_noise = m_opt.noise;
      rs.noise_seed = m_cfg.seed;
      if (m_opt.chips > 0) {  // as odimo deploy --chips: chip k seeded by (seed, k)
        chip = inet.chip_instance(m_cfg.seed, uint64_t(k));
        rs.noise_seed = chip_seed(m_cfg.seed, uint64_t(k));
        rs.chip = &chip;
      }
      sum += accuracy(inet, rs);
    }
    snapshot.restore();
    return sum / chips;
  }

 private:
  // The share of the validation images the integer network classifies right.
  double accuracy(const IntegerNetwork& inet, const RunSettings& rs) const {
    const int threads = std::max(1, m_cfg.threads);
    std::vector<int64_t> right(size_t(threads), 0);
    mapper::for_each_thread(
        threads,
        [&](int t) {
          for (int i = mapper::share_begin(m_images, t, threads); i < mapper::share_end(m_images, t, threads);
               ++i) {
            const Trace tr = inet.run(m_x.data() + int64_t(i) * m_elems, rs, uint64_t(i));
            const int pred = int(std::max_element(tr.logits.begin(), tr.logits.end()) - tr.logits.begin());
            right[size_t(t)] += pred == m_data.validation.labels[size_t(i)];
          }
        },
        int64_t(1) << 40);
    int64_t total = 0;
    for (int64_t r : right) total += r;
    return double(total) / double(m_images);
  }

  const search::SearchConfig& m_cfg;
  const search::SensitivityOptions& m_opt;
  const SocDescription& m_soc;
  const Network& m_net;
  const std::vector<search::SearchableLayer>& m_space;
  mapper::DataSplits m_data;
  std::vector<search::LayerArch*> m_archs;
  std::unique_ptr<mapper::Model> m_model;
  int64_t m_elems = 0;
  int m_images = 0, m_ncal = 0;
  std::vector<float> m_x, m_cal;
  mapper::StatisticsImages m_stats;
};

// The all-digital training, a baseline of its own in DIR/all-digital (resumable as any): its
// weights file, or "" when it stopped early (SearchConfig::stop_after_epochs, tests).
std::string train_all_digital(const search::SearchConfig& cfg, const Conversion& c, const SocDescription& soc,
                              const cost::CostModel& cost, const cost::CostModel& compat,
                              const ReportWriter& write, std::ostream& log) {
  search::SearchConfig a = cfg;
  a.fixed = c.start;
  a.label = "all:" + soc.soc.cu(c.digital).name();
  a.out_dir = cfg.out_dir.empty() ? "" : cfg.out_dir + "/all-digital";
  if (a.out_dir.empty()) throw Error("--baseline sensitivity: needs an output folder (--out)");
  log << "sensitivity: training " << a.label << " (" << a.out_dir << ")\n" << std::flush;
  proto::SearchReport rep = search::run_search(a, soc, cost, compat, log);
  if (rep.label().empty()) return "";  // stopped (tests)
  write(a.out_dir, rep);
  return a.out_dir + "/weights.pb";
}

void log_step(std::ostream& log, const std::string& what, const SensitivityCandidate& c, double accuracy,
              double reference, const char* verdict) {
  log << "  sensitivity " << what << " " << c.layer << " (" << c.macs << " MACs): " << std::fixed
      << std::setprecision(2) << 100 * accuracy << " % (" << std::showpos << 100 * (accuracy - reference)
      << std::noshowpos << " pt)" << verdict << "\n"
      << std::flush;
}

// The record of the decisions in report.json (proto::SensitivityRecord).
void record_decisions(const Conversion& c, const search::SensitivityOptions& o, const SocDescription& soc,
                      double reference, const SensitivityResult& result, const std::vector<double>& alone,
                      int images, const std::string& start, const std::string& out_dir,
                      proto::SensitivityRecord& r) {
  r.set_ranking(o.ranking);
  r.set_threshold(o.threshold);
  r.set_reference_accuracy(reference);
  r.set_final_accuracy(result.accuracy);
  r.set_digital_cu(soc.soc.cu(c.digital).name());
  r.set_analog_cu(soc.soc.cu(c.analog).name());
  const int adc_bits = soc.units[size_t(c.analog)]->number_format().adc_bits;
  r.set_aimc_noise(adc_bits > 0 ? o.noise.fraction(adc_bits) : o.noise.value);
  r.set_aimc_noise_lsb(adc_bits > 0 ? o.noise.sigma_lsb(adc_bits) : 0.0);
  r.set_chips(o.chips);
  r.set_images(images);
  r.set_start_weights(std::filesystem::absolute(start)
                          .lexically_normal()
                          .lexically_relative(std::filesystem::absolute(out_dir).lexically_normal())
                          .generic_string());
  for (const SensitivityStep& s : result.steps) {
    proto::SensitivityDecision* d = r.add_decisions();
    d->set_layer(c.candidates[size_t(s.candidate)].layer);
    d->set_macs(c.candidates[size_t(s.candidate)].macs);
    d->set_accuracy(s.accuracy);
    d->set_kept(s.kept);
    if (o.ranking == "measured") d->set_alone_accuracy(alone[size_t(s.candidate)]);
  }
}

}  // namespace

proto::SearchReport run_sensitivity_baseline(const search::SearchConfig& cfg,
                                             const search::SensitivityOptions& o, const SocDescription& soc,
                                             const cost::CostModel& cost, const cost::CostModel& compat,
                                             const ReportWriter& write, std::ostream& log) {
  const Network net = load_network(cfg.net, cfg.input);
  const auto space = search::search_space(net, soc);
  const Conversion c = conversion_of(net, soc, space);
  const bool from_init = !cfg.init.empty();
  const std::string start = from_init ? cfg.init : train_all_digital(cfg, c, soc, cost, compat, write, log);
  if (start.empty()) return {};
  Evaluator evaluate(cfg, o, soc, net, space, start, from_init ? nullptr : &c.start);
  std::map<std::vector<bool>, double> seen;  // deterministic: an assignment measured once
  const SensitivityEvaluator measure = [&](const std::vector<bool>& analog) {
    auto it = seen.find(analog);
    return it != seen.end() ? it->second : seen[analog] = evaluate(assignment_of(c, analog));
  };
  const int n = int(c.candidates.size());
  const double reference = measure(std::vector<bool>(size_t(n), false));
  log << "sensitivity: all-digital " << std::fixed << std::setprecision(2) << 100 * reference << " % on "
      << evaluate.images() << " validation images, " << o.chips << " chip(s), read noise " << o.noise.text()
      << "; threshold " << o.threshold << " pt, ranking " << o.ranking << "\n";
  std::vector<double> alone(size_t(n), 0);
  if (o.ranking == "measured")
    for (int i = 0; i < n; ++i) {
      std::vector<bool> one(size_t(n), false);
      one[size_t(i)] = true;
      alone[size_t(i)] = measure(one);
      log_step(log, "alone", c.candidates[size_t(i)], alone[size_t(i)], reference, "");
    }
  const std::vector<int> order =
      o.ranking == "measured" ? rank_by_accuracy(alone) : rank_by_macs(c.candidates);
  const SensitivityResult result = convert_greedily(n, order, reference, o.threshold, measure);
  for (const SensitivityStep& s : result.steps)
    log_step(log, "convert", c.candidates[size_t(s.candidate)], s.accuracy, reference,
             s.kept ? ": kept" : ": refused");

  search::SearchConfig b = cfg;
  b.fixed = assignment_of(c, result.analog);
  b.init = start;
  if (!from_init) b.init_assignment = c.start;
  proto::SearchReport rep = search::run_search(b, soc, cost, compat, log);
  if (rep.label().empty()) return rep;  // stopped (tests)
  record_decisions(c, o, soc, reference, result, alone, evaluate.images(), start, cfg.out_dir,
                   *rep.mutable_sensitivity());
  return rep;
}

}  // namespace odimo::deploy
