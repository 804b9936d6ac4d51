#include "mapper/sweep/slurm.h"

#include <sstream>

namespace odimo::sweep {

std::string shell_quoted(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:") ==
          std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurm_script(const SlurmJob& job, const proto::SweepPlan& plan) {
  std::ostringstream s;
  const int k = job.max_parallel;
  s << "#!/bin/bash\n"
    << "# " << plan.points() << " points of " << job.plan_dir << " (sweep '" << plan.spec().name()
    << "'), written by odimo sweep sbatch.\n"
    << "#SBATCH --job-name=odimo-" << plan.spec().name() << "\n"
    << "#SBATCH --array=0-" << plan.points() - 1 << (k > 0 ? "%" + std::to_string(k) : "") << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << plan.spec().threads() << "\n"
    << "#SBATCH --output=" << job.out << "/logs/slurm-%A_%a.out\n";
  if (!job.time.empty()) s << "#SBATCH --time=" << job.time << "\n";
  if (!job.partition.empty()) s << "#SBATCH --partition=" << job.partition << "\n";
  if (!job.account.empty()) s << "#SBATCH --account=" << job.account << "\n";
  s << "set -euo pipefail\n"
    << "mkdir -p " << shell_quoted(job.out + "/logs") << "\n"
    << "# Seeds come from the point, so a requeued or repeated task gives the same bytes;\n"
    << "# a task whose point is already complete exits at once.\n";
  for (size_t i = 0; i < job.task_command.size(); ++i)
    s << (i ? " " : "") << shell_quoted(job.task_command[i]);
  s << "\n# when every task is done: odimo sweep reduce " << job.out << "\n";
  return s.str();
}

}  // namespace odimo::sweep
