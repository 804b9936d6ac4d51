#include "mapper/sweep/search_report.h"

#include <google/protobuf/util/json_util.h>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::sweep {

proto::SearchReport read_search_report(const std::string& dir) {
  const std::string path = dir + "/report.json";
  proto::SearchReport r;
  google::protobuf::util::JsonParseOptions opt;
  opt.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(read_file(path), &r, opt);
  if (!status.ok()) throw Error(path + ": not a search report: " + std::string(status.message()));
  return r;
}

void write_search_report(const std::string& dir, const proto::SearchReport& report) {
  write_json(dir + "/report.json", report);
}

}  // namespace odimo::sweep
