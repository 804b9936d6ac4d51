#include "mapper/sweep/run.h"

#include <google/protobuf/util/message_differencer.h>

#include <time.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "mapper/search_files/search_report.h"
#include "mapper/sweep/deploy_step.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/process.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::sweep {
namespace fs = std::filesystem;

std::string Run::name(int index) const {
  return point_name(plan, index);
}
std::string Run::result_dir(int index) const {
  return out + "/" + name(index);
}
std::string Run::log(int index) const {
  return out + "/logs/" + name(index) + ".log";
}
bool Run::pretraining(int index) const {
  return std::find(init_from.begin(), init_from.end(), index) != init_from.end();
}
bool Run::complete(int index) const {
  if (!pretraining(index) || file_exists(result_dir(index) + "/checkpoint.pb"))
    return point_complete(result_dir(index), plan.spec());
  if (!file_exists(result_dir(index) + "/report.json")) return false;
  for (size_t j = 0; j < init_from.size(); ++j)
    if (init_from[j] == index && !complete(int(j))) return false;  // needed: recompute it
  return true;
}
std::string Run::title(int index) const {
  return name(index) + " (" + labels[size_t(index)] + ")";
}

Run open_run(const std::string& plan_dir, const std::string& out) {
  Run run{plan_dir, out, read_plan(plan_dir), {}, {}};
  for (int i = 0; i < run.plan.points(); ++i) {
    const proto::SweepPoint p = read_point(plan_dir, run.plan, i);
    run.labels.push_back(p.label());
    run.init_from.push_back(p.has_init_from() ? p.init_from() : -1);
    if (p.has_init_from() && (p.init_from() < 0 || p.init_from() >= i))
      throw Error(plan_dir + "/" + run.name(i) + ".pbtxt: field 'init_from': " +
                  std::to_string(p.init_from()) + ": expected an earlier point");
    if (p.has_search_from() && (p.search_from() < 0 || p.search_from() >= i))
      throw Error(plan_dir + "/" + run.name(i) + ".pbtxt: field 'search_from': " +
                  std::to_string(p.search_from()) + ": expected an earlier point");
  }
  std::error_code ec;
  fs::create_directories(out + "/logs", ec);
  if (ec) throw Error(out + ": cannot create the result folder: " + ec.message());
  const std::string copy = out + "/plan.pbtxt";
  if (file_exists(copy)) {
    proto::SweepPlan old;
    read_text_proto(copy, &old);
    if (!google::protobuf::util::MessageDifferencer::Equals(old.spec(), run.plan.spec()) ||
        old.points() != run.plan.points())
      throw Error(copy + ": " + out + " holds results of a different plan than " + plan_dir +
                  "/plan.pbtxt; use another output folder");
  } else {
    write_text_proto(copy, run.plan);  // atomic: concurrent writers of the same plan are harmless
  }
  return run;
}

namespace {

// The search in the folder `from` as the point's own in `to` (plan.h: search_from, only the
// label differs): its files but the deployments, then its report relabelled and without its
// deployment, written last (its presence marks the search done).
void copy_search(const std::string& from, const std::string& to, const std::string& label) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) throw Error(to + ": cannot create the point's folder: " + ec.message());
  proto::SearchReport r = search::read_search_report(from);
  for (const std::string& f : {r.mapping_file(), r.weights_file(), std::string("simulation.json"),
                               std::string("search-checkpoint.pb")})
    if (!f.empty() && file_exists(from + "/" + f)) write_file_atomic(to + "/" + f, read_file(from + "/" + f));
  r.clear_deployed();
  r.set_label(label);
  search::write_search_report(to, r);
}

// The point's search (or pretraining) into its result folder, resumed; a noise-blind point at a
// later noise level copies the search of its first level's point once that one is replayed.
int search_point(const Run& run, int index, const proto::SweepPoint& p, const PointRunner& runner) {
  const std::string dir = run.result_dir(index);
  if (p.has_search_from() && point_replayed(run.result_dir(p.search_from()))) {
    std::cout << "odimo sweep: " << run.name(index) << " of " << run.plan.points() << " (" << p.label()
              << "): the search of " << run.title(p.search_from()) << ", copied\n";
    copy_search(run.result_dir(p.search_from()), dir, p.label());
    return 0;
  }
  std::string init;  // the pretraining point's checkpoint
  if (p.has_init_from()) {
    const std::string from = run.result_dir(p.init_from());
    if (!point_replayed(from))
      throw Error(run.name(index) + " (" + p.label() + ") starts from " + run.title(p.init_from()) +
                  ", which has no complete result yet in " + run.out + ": run it first");
    init = from + "/checkpoint.pb";
    if (!file_exists(init))  // a committed pretraining keeps its report only
      throw Error(run.name(index) + " (" + p.label() + ") starts from " + run.title(p.init_from()) +
                  ", whose checkpoint is not in " + run.out +
                  ": train it again first (odimo sweep run PLAN -o " + run.out + " --index " +
                  std::to_string(p.init_from()) + ")");
  }
  std::cout << "odimo sweep: " << run.name(index) << " of " << run.plan.points() << " (" << p.label()
            << ")\n";
  if (p.has_config()) {
    proto::SearchConfig config = p.config();
    if (!init.empty()) config.set_init(init);
    return runner.search(config, dir);
  }
  std::vector<std::string> args(p.search_args().begin(), p.search_args().end());
  args.insert(args.end(), {"--out", dir, "--resume"});  // a killed point goes on from its last epoch
  if (!init.empty()) args.insert(args.end(), {"--init", init});
  return runner.command(p.command(), args);
}

}  // namespace

int run_here(const Run& run, int index, const PointRunner& runner) {
  const proto::SweepPoint p = read_point(run.plan_dir, run.plan, index);
  const std::string dir = run.result_dir(index);
  if (run.complete(index)) {
    std::cout << "odimo sweep: " << run.name(index) << " (" << p.label()
              << "): complete result exists, skipped\n";
    return 0;
  }
  if (run.pretraining(index) && !file_exists(dir + "/checkpoint.pb")) {
    // A report without its checkpoint (reference results): trained again from scratch. The
    // report goes first, so that nothing counts the point complete before `odimo train`
    // writes its report again, last.
    std::error_code ec;
    fs::remove(dir + "/report.json", ec);
  }
  if (!point_replayed(dir))
    if (const int status = search_point(run, index, p, runner); status != 0) return status;
  const std::vector<std::string> deploy = deploy_args(run.plan.spec(), p, dir);
  if (deploy.empty()) return 0;
  std::cout << "odimo sweep: " << run.name(index) << " (" << p.label() << "): deploy\n" << std::flush;
  return runner.command("deploy", deploy);
}

pid_t start_child(const Run& run, int index, const PointCommand& command) {
  return spawn_self(command(run, index), run.log(index));
}

void Tally::add(const Run& run, int index, Outcome o, std::ostream& out) {
  (o == Outcome::kComputed ? computed : o == Outcome::kSkipped ? skipped : failed).push_back(run.name(index));
  out << (o == Outcome::kComputed  ? "  done    "
          : o == Outcome::kSkipped ? "  skip    "
                                   : "  FAILED  ")
      << run.title(index) << (o == Outcome::kSkipped ? ": complete result exists" : "")
      << (o == Outcome::kFailed ? " (see " + run.log(index) + ")" : "") << "\n"
      << std::flush;
}

int Tally::summary(const Run& run, std::ostream& out, bool hint) const {
  out << "odimo sweep: computed " << computed.size() << ", skipped " << skipped.size() << ", failed "
      << failed.size() << " of " << run.plan.points() << " points in " << run.out << "\n";
  if (!computed.empty()) {
    out << "computed:";
    for (const auto& n : computed) out << " " << n;
    out << "\n";
  }
  if (!failed.empty()) {
    out << "failed (rerun the same command to retry them):";
    for (const auto& n : failed) out << " " << n;
    out << "\n";
    return 1;
  }
  if (hint) out << "next: odimo sweep reduce " << run.out << "\n";
  return 0;
}

int run_local(const Run& run, int jobs, const PointCommand& command, bool hint) {
  Tally tally;
  std::map<pid_t, int> running;
  std::map<int, Outcome> finished;
  auto reap_one = [&]() {
    // Children finish in any order: poll each, blocking on none, until one is done.
    while (true) {
      for (auto it = running.begin(); it != running.end(); ++it) {
        const int rc = wait_child(it->first, false);
        if (rc < 0) continue;
        finished[it->second] = rc == 0 ? Outcome::kComputed : Outcome::kFailed;
        tally.add(run, it->second, finished[it->second], std::cout);
        running.erase(it);
        return;
      }
      timespec ts{0, 20'000'000};
      nanosleep(&ts, nullptr);
    }
  };
  std::cout << "odimo sweep: " << run.plan.points() << " points of " << run.plan_dir << " into " << run.out
            << ", " << jobs << " at a time\n";
  for (int i = 0; i < run.plan.points(); ++i) {
    if (run.complete(i)) {
      tally.add(run, i, Outcome::kSkipped, std::cout);
      continue;
    }
    const int from = run.init_from[size_t(i)];  // its pretraining point, started earlier
    while (from >= 0 && !running.empty() && !run.complete(from) && !finished.count(from)) reap_one();
    if (from >= 0 && !run.complete(from)) {
      std::cout << "  (" << run.title(i) << " needs " << run.name(from) << ")\n";
      tally.add(run, i, Outcome::kFailed, std::cout);
      continue;
    }
    while (int(running.size()) >= jobs) reap_one();
    running[start_child(run, i, command)] = i;
    std::cout << "  start   " << run.title(i) << "\n" << std::flush;
  }
  while (!running.empty()) reap_one();
  return tally.summary(run, std::cout, hint);
}

#ifndef ODIMO_HAVE_MPI
void require_mpi() {
  throw Error(
      "--mpi: this odimo was built without MPI (install libopenmpi-dev and rebuild); "
      "use --jobs N on one machine or --index i / --index-from-env under a job array");
}
int run_mpi(const Run&, const PointCommand&) {
  require_mpi();
  return 2;
}
#endif

}  // namespace odimo::sweep
