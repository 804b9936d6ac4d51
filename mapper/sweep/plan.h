#pragma once
// Sweep plans: a spec (lambdas x SoC variants x seeds, plus baselines) expanded into
// numbered, self-contained points, one file each, so that any process anywhere can
// run point i alone (`odimo sweep run --index i`) and get the same bytes.
#include <string>
#include <vector>

#include "proto/sweep.pb.h"

namespace odimo::sweep {

// Reads and checks a spec; every error names the file, the field and the value.
// Relative SoC and network paths are resolved against the spec's folder.
proto::SweepSpec read_spec(const std::string& path);
// Fills the defaults and checks a spec built in memory; errors start with `origin`
// (the spec's file; empty for a spec built from command-line options).
void check_spec(proto::SweepSpec& spec, const std::string& origin);

// Every point of the spec, numbered from 0: with pretrain_epochs > 0 first one
// pretraining point per seed (`odimo train`), then for each SoC, for each read-noise level
// of the grid (noise_grid.h; one unset level without it), for each seed, the lambdas, the
// noise-aware lambdas, then the baselines ("all" expands to all:CU for each CU of that SoC),
// each starting from its seed's pretraining point (init_from).
std::vector<proto::SweepPoint> expand(const proto::SweepSpec& spec);

// Writes DIR/point-NNN.pbtxt for every point, then DIR/plan.pbtxt (its presence marks
// a complete plan). Rewriting the same plan is a no-op; a different one is an error.
void write_plan(const std::string& dir, const proto::SweepSpec& spec,
                const std::vector<proto::SweepPoint>& points);

proto::SweepPlan read_plan(const std::string& dir);
proto::SweepPoint read_point(const std::string& dir, const proto::SweepPlan& plan, int index);

// "point-007": the plan's file stem and the point's result folder; at least three
// digits, more when the plan has more points.
std::string point_name(const proto::SweepPlan& plan, int index);

// A point's result folder holds a report that has been replayed in simulation, or
// (a pretraining point) the report of a finished `odimo train`.
bool point_replayed(const std::string& result_dir);
// Replayed, and deployed when the spec deploys it (deploy_step.h): nothing left to run.
bool point_complete(const std::string& result_dir, const proto::SweepSpec& spec);
// The folder holds a training run (a pretraining point): its checkpoint or its report, and no
// mapping. Committed reference results keep a pretraining point's report without its
// checkpoint (weights are not committed; Run::complete says when it is recomputed).
bool is_pretraining_result(const std::string& result_dir);

// The shortest decimal text that reads back as the same double ("0.1", "30").
std::string format_number(double x);

}  // namespace odimo::sweep
