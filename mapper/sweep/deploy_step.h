#pragma once
// The deployment step of a sweep point: after its search and replay, a search
// point or baseline is run bit-true on the CUs' integer pipelines (`odimo deploy DIR`,
// mapper/deploy/), when the spec asks for it or, by default, when its SoC can be deployed.
// Like every step it is skipped once done (report.json holds `deployed`), so a sweep
// resumes and every mode writes the same bytes.
#include <string>
#include <vector>

#include "proto/search.pb.h"
#include "proto/sweep.pb.h"

namespace odimo {
struct SocDescription;
}

namespace odimo::sweep {

// Whether every compute unit of `soc` has the integer parameters `odimo deploy` needs
// (hw/cu/integer_behaviour.h); else `why` (if given) holds the first missing field.
bool deployable(const SocDescription& soc, std::string* why = nullptr);

// Whether the sweep deploys a point of SoC `soc` (a shipped name or a file, as the point's
// --soc): the spec's `deploy` when set, else whether that SoC loads and is deployable.
bool deploys(const proto::SweepSpec& spec, const std::string& soc);

// Checks the spec's deploy fields (ranges; `deploy: true`, chip instances and a noise grid
// need every SoC deployable; chips with `deploy: false` are a contradiction).
void check_deploy(const proto::SweepSpec& spec, const std::vector<SocDescription>& socs,
                  const std::string& origin);

// The `odimo deploy` arguments of point `p` whose result folder is `dir` (DIR first), or
// none when the point is not deployed (a pretraining point, deploy off, a SoC without
// integer parameters). The noise seed is the point's seed, which also draws its chip
// instances (deploy_chips); a point at a noise level deploys with that read noise.
std::vector<std::string> deploy_args(const proto::SweepSpec& spec, const proto::SweepPoint& p,
                                     const std::string& dir);

// A replayed search report still waiting for its deployment.
bool awaits_deployment(const proto::SweepSpec& spec, const proto::SearchReport& r);

}  // namespace odimo::sweep
