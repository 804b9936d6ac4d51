#include "mapper/search_files/search_report.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hw/field_check.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::search {

namespace {

// protobuf's JSON errors end with the offending text and a caret on lines of their own;
// odimo's errors are one line: the reason, then that text quoted.
std::string one_line(const std::string& message) {
  const auto nl = message.find('\n');
  if (nl == std::string::npos) return message;
  std::string near = message.substr(nl + 1, message.find('\n', nl + 1) - nl - 1);
  const auto first = near.find_first_not_of(' '), last = near.find_last_not_of(' ');
  near = first == std::string::npos ? "" : near.substr(first, last - first + 1);
  std::string reason = message.substr(0, nl);
  while (!reason.empty() && reason.back() == ' ') reason.pop_back();
  return reason + (near.empty() ? "" : " near '" + near + "'");
}

// What pareto, reduce, replay and deploy read of a report is what odimo wrote: a point
// cannot be -100 % accurate, take negative time or 1e308 uJ. Every number in its range.
void check_costs(const FieldCheck& check, const std::string& field, const proto::CostSummary& c) {
  check.non_negative(field + ".cycles", c.cycles());
  check.non_negative(field + ".latency_us", c.latency_us());
  check.non_negative(field + ".energy_uj", c.energy_uj());
}

void check_search_report(const std::string& path, const proto::SearchReport& r) {
  const FieldCheck check{path};
  if (r.kind() != "search" && r.kind() != "baseline")
    check.fail("kind", "'" + r.kind() + "'", "is not search or baseline");
  if (r.label().empty()) check.fail("label", "''", "must name the point");
  check.fraction("test_accuracy", r.test_accuracy());
  check.fraction("best_val_accuracy", r.best_val_accuracy());
  check.within("lambda", r.lambda(), 0, mapper::kMaxLambda);
  check_costs(check, "analytic", r.analytic());
  check_costs(check, "compat", r.compat());
  check_costs(check, "simulated", r.simulated());
  for (const auto& [cu, n] : r.channels()) check.non_negative("channels." + cu, n);
  if (r.has_deployed()) {
    check.fraction("deployed.test_accuracy", r.deployed().test_accuracy());
    check.fraction("deployed.trained_test_accuracy", r.deployed().trained_test_accuracy());
  }
}

}  // namespace

proto::SearchReport read_search_report(const std::string& dir) {
  const std::string path = dir + "/report.json";
  proto::SearchReport r;
  google::protobuf::util::JsonParseOptions opt;
  opt.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(read_file(path), &r, opt);
  if (!status.ok()) throw Error(path + ": not a search report: " + one_line(std::string(status.message())));
  check_search_report(path, r);
  return r;
}

void check_loaded_names(const proto::SearchReport& r, const std::string& report_path,
                        const std::string& soc_name, const std::string& network_name) {
  if (r.soc() != soc_name)
    throw Error(report_path + ": field 'soc': '" + r.soc() + "' but '" + soc_source(r) + "' is SoC '" +
                soc_name + "'");
  if (r.network() != network_name)
    throw Error(report_path + ": field 'network': '" + r.network() + "' but '" + network_source(r) +
                "' is network '" + network_name + "'");
}

void write_search_report(const std::string& dir, const proto::SearchReport& report) {
  write_json(dir + "/report.json", report);
}

void update_search_report(const std::string& dir, const std::function<void(proto::SearchReport&)>& change) {
  // The lock is on the folder itself: report.json is replaced by a rename, so a lock on it
  // would be on the file being replaced. A file system without locks: the update goes unlocked.
  struct Lock {
    int fd;
    ~Lock() {
      if (fd >= 0) ::close(fd);  // releases the lock
    }
  } lock{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (lock.fd < 0) throw Error(dir + ": cannot open the folder: " + std::strerror(errno));
  while (::flock(lock.fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  proto::SearchReport r = read_search_report(dir);
  change(r);
  write_search_report(dir, r);
}

}  // namespace odimo::search
