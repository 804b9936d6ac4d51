#include "mapper/sweep/slurm.h"

#include <cstdio>
#include <sstream>

#include "proto/error.h"

namespace odimo::sweep {

namespace {

const char kPlainWord[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:";

// A value of an #SBATCH line: Slurm reads those lines itself, not through the shell, so a
// value is written as it is and must hold nothing that a line or a word could end at.
const std::string& directive_value(const std::string& value, const std::string& what) {
  const std::string allowed = std::string(kPlainWord) + ",@%";
  const size_t bad = value.find_first_not_of(allowed);
  if (bad != std::string::npos) {
    const unsigned char c = static_cast<unsigned char>(value[bad]);
    std::string shown(1, value[bad]);
    if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      shown = hex;
    }
    throw Error(what + ": the character '" + shown +
                "' cannot be written into a Slurm #SBATCH line (allowed: letters, digits and " +
                allowed.substr(62) + ")");
  }
  return value;
}

}  // namespace

std::string shell_quoted(const std::string& s) {
  if (!s.empty() && s.find_first_not_of(kPlainWord) == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurm_script(const SlurmJob& job, const proto::SweepPlan& plan, int pretraining) {
  // Every value that reaches an #SBATCH line (and so a comment or a command below) is checked
  // first; every word of a command is quoted for the shell.
  const std::string& name = directive_value(plan.spec().name(), "the sweep's name");
  const std::string& out = directive_value(job.out, "--out");
  const std::string& plan_dir = job.plan_dir;
  for (char c : plan_dir)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw Error("PLAN: a control character in the folder's name cannot be written into a Slurm script");
  if (!job.time.empty()) directive_value(job.time, "--time");
  if (!job.partition.empty()) directive_value(job.partition, "--partition");
  if (!job.account.empty()) directive_value(job.account, "--account");
  std::ostringstream s;
  const int k = job.max_parallel;
  const int last = pretraining > 0 ? pretraining - 1 : plan.points() - 1;
  std::string command;
  for (size_t i = 0; i < job.task_command.size(); ++i)
    command += (i ? " " : "") + shell_quoted(job.task_command[i]);
  s << "#!/bin/bash\n"
    << "# " << plan.points() << " points of " << shell_quoted(plan_dir) << " (sweep '" << name
    << "'), written by odimo sweep sbatch.\n"
    << "#SBATCH --job-name=odimo-" << name << "\n"
    << "#SBATCH --array=0-" << last << (k > 0 ? "%" + std::to_string(k) : "") << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << plan.spec().threads() << "\n"
    << "#SBATCH --output=" << out << "/logs/slurm-%A_%a.out\n";
  if (!job.time.empty()) s << "#SBATCH --time=" << job.time << "\n";
  if (!job.partition.empty()) s << "#SBATCH --partition=" << job.partition << "\n";
  if (!job.account.empty()) s << "#SBATCH --account=" << job.account << "\n";
  s << "set -euo pipefail\n"
    << "mkdir -p " << shell_quoted(out + "/logs") << "\n"
    << "# Seeds come from the point, so a requeued or repeated task gives the same bytes;\n"
    << "# a task whose point is already complete exits at once.\n";
  if (pretraining > 0 && pretraining < plan.points()) {
    const std::string marker = shell_quoted(out + "/logs/searches-submitted");
    s << "# Tasks 0-" << last << " pretrain; every other point starts from their checkpoints, so task 0\n"
      << "# submits those points as a second array that starts once this whole job succeeded.\n"
      << "if [ \"${SLURM_ARRAY_TASK_ID:-}\" = 0 ] && mkdir " << marker << " 2>/dev/null; then\n"
      << "  sbatch --dependency=afterok:\"$SLURM_ARRAY_JOB_ID\" --array=" << pretraining << "-"
      << plan.points() - 1 << (k > 0 ? "%" + std::to_string(k) : "") << " "
      << shell_quoted("--job-name=odimo-" + name) << " --ntasks=1 --cpus-per-task=" << plan.spec().threads()
      << " " << shell_quoted("--output=" + out + "/logs/slurm-%A_%a.out")
      << (job.time.empty() ? "" : " " + shell_quoted("--time=" + job.time))
      << (job.partition.empty() ? "" : " " + shell_quoted("--partition=" + job.partition))
      << (job.account.empty() ? "" : " " + shell_quoted("--account=" + job.account))
      << " --wrap=" << shell_quoted(command) << "\n"
      << "fi\n";
  }
  s << command;
  s << "\n# when every task is done: odimo sweep reduce " << shell_quoted(out) << "\n";
  return s.str();
}

}  // namespace odimo::sweep
