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

std::string slurm_script(const SlurmJob& job, const proto::SweepPlan& plan, int pretraining) {
  std::ostringstream s;
  const int k = job.max_parallel;
  const int last = pretraining > 0 ? pretraining - 1 : plan.points() - 1;
  std::string command;
  for (size_t i = 0; i < job.task_command.size(); ++i)
    command += (i ? " " : "") + shell_quoted(job.task_command[i]);
  s << "#!/bin/bash\n"
    << "# " << plan.points() << " points of " << job.plan_dir << " (sweep '" << plan.spec().name()
    << "'), written by odimo sweep sbatch.\n"
    << "#SBATCH --job-name=odimo-" << plan.spec().name() << "\n"
    << "#SBATCH --array=0-" << last << (k > 0 ? "%" + std::to_string(k) : "") << "\n"
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
  if (pretraining > 0 && pretraining < plan.points()) {
    const std::string marker = shell_quoted(job.out + "/logs/searches-submitted");
    s << "# Tasks 0-" << last << " pretrain; every other point starts from their checkpoints, so task 0\n"
      << "# submits those points as a second array that starts once this whole job succeeded.\n"
      << "if [ \"${SLURM_ARRAY_TASK_ID:-}\" = 0 ] && mkdir " << marker << " 2>/dev/null; then\n"
      << "  sbatch --dependency=afterok:\"$SLURM_ARRAY_JOB_ID\" --array=" << pretraining << "-"
      << plan.points() - 1 << (k > 0 ? "%" + std::to_string(k) : "") << " --job-name=odimo-"
      << plan.spec().name() << " --ntasks=1 --cpus-per-task=" << plan.spec().threads()
      << " --output=" << job.out << "/logs/slurm-%A_%a.out" << (job.time.empty() ? "" : " --time=" + job.time)
      << (job.partition.empty() ? "" : " --partition=" + job.partition)
      << (job.account.empty() ? "" : " --account=" + job.account) << " --wrap=" << shell_quoted(command)
      << "\n"
      << "fi\n";
  }
  s << command;
  s << "\n# when every task is done: odimo sweep reduce " << job.out << "\n";
  return s.str();
}

}  // namespace odimo::sweep
