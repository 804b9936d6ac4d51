#include "mapper/sweep/deploy_step.h"

#include <algorithm>

#include "hw/cu/analog_nonideality.h"
#include "hw/soc_description.h"
#include "mapper/search_files/search_report.h"
#include "mapper/sweep/plan.h"
#include "proto/error.h"

namespace odimo::sweep {

// The same ranges as odimo deploy's --images and --aimc-noise (cli/cmd_deploy.cpp).
constexpr int kMaxDeployImages = 1 << 24;
constexpr double kMaxAimcNoise = 10;

bool deployable(const SocDescription& soc, std::string* why) {
  FieldCheck at{soc.origin};
  for (size_t u = 0; u < soc.units.size(); ++u) try {
      soc.unit(int(u)).integer_behaviour(at, "cu[" + std::to_string(u) + "]");
    } catch (const Error& e) {
      if (why) *why = e.what();
      return false;
    }
  return true;
}

bool deploys(const proto::SweepSpec& spec, const std::string& soc) {
  if (spec.has_deploy()) return spec.deploy();
  try {
    return deployable(load_soc(soc));
  } catch (const Error&) {
    return false;  // a SoC that no longer loads cannot be deployed (its search failed first)
  }
}

namespace {

// The field that has every point deployed whatever its SoC ("'deploy': true"), or "" when
// only the points of deployable SoCs are (deploy unset) or none (deploy: false).
std::string deploy_demand(const proto::SweepSpec& s) {
  if (s.has_deploy()) return s.deploy() ? "'deploy': true" : "";
  if (s.deploy_chips() > 0) return "'deploy_chips': " + std::to_string(s.deploy_chips());
  if (!s.aimc_noise_lsb().empty()) return "'aimc_noise_lsb': a grid of deployment noise levels";
  return "";
}

}  // namespace

void check_deploy(const proto::SweepSpec& s, const std::vector<SocDescription>& socs,
                  const std::string& path) {
  const std::string at = path.empty() ? "" : path + ": ";
  if (s.deploy_images() < 0 || s.deploy_images() > kMaxDeployImages)
    throw Error(at + "field 'deploy_images': " + std::to_string(s.deploy_images()) + " must be in [0, " +
                std::to_string(kMaxDeployImages) + "] (0: the whole test set)");
  if (!(s.deploy_aimc_noise() >= 0 && s.deploy_aimc_noise() <= kMaxAimcNoise))
    throw Error(at + "field 'deploy_aimc_noise': " + format_number(s.deploy_aimc_noise()) +
                " must be in [0, " + format_number(kMaxAimcNoise) +
                "] (sigma as a fraction of the ADC full scale)");
  if (s.deploy_chips() < 0 || s.deploy_chips() > kMaxChips)
    throw Error(at + "field 'deploy_chips': " + std::to_string(s.deploy_chips()) + " must be in [0, " +
                std::to_string(kMaxChips) + "] (0: the ideal chip)");
  if (s.deploy_chips() > 0 && s.has_deploy() && !s.deploy())
    throw Error(at + "field 'deploy_chips': " + std::to_string(s.deploy_chips()) +
                " chip instances, but deploy: false (the chips are where a point is deployed)");
  const std::string demand = deploy_demand(s);
  if (demand.empty()) return;
  for (const SocDescription& soc : socs)
    if (std::string why; !deployable(soc, &why))
      throw Error(at + "field " + demand + ", but SoC '" + soc.name() + "' cannot be deployed: " + why);
}

std::vector<std::string> deploy_args(const proto::SweepSpec& s, const proto::SweepPoint& p,
                                     const std::string& dir) {
  if (p.kind() == "pretrain" || !deploys(s, p.soc())) return {};
  std::vector<std::string> a = {
      dir,      "--threads", std::to_string(std::max(1, s.threads())), "--seed", std::to_string(p.seed()),
      "--quiet"};
  if (s.deploy_images() > 0) a.insert(a.end(), {"--images", std::to_string(s.deploy_images())});
  if (s.deploy_aimc_noise() > 0) a.insert(a.end(), {"--aimc-noise", format_number(s.deploy_aimc_noise())});
  if (p.has_aimc_noise_lsb() && p.aimc_noise_lsb() > 0)
    a.insert(a.end(), {"--aimc-noise", format_number(p.aimc_noise_lsb()) + "lsb"});
  if (s.deploy_chips() > 0) a.insert(a.end(), {"--chips", std::to_string(s.deploy_chips())});
  return a;
}

bool awaits_deployment(const proto::SweepSpec& spec, const proto::SearchReport& r) {
  return r.replayed() && !r.has_deployed() && deploys(spec, search::soc_source(r));
}

}  // namespace odimo::sweep
