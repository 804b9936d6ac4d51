// `odimo sweep run --mpi`: dynamic hand-out of sweep points over MPI ranks with the
// plain MPI C API (works with Open MPI, MPICH and vendor MPIs). Built only when CMake
// finds MPI (ODIMO_HAVE_MPI). Each point still runs in its own child process, exactly
// as `--index i` runs it, so results do not depend on the number of ranks.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <time.h>

#include <iostream>

#include "mapper/sweep/plan.h"
#include "mapper/sweep/process.h"
#include "mapper/sweep/run.h"
#include "proto/error.h"

namespace odimo::sweep {
namespace {

constexpr int kTagRequest = 1;  // worker -> rank 0: {finished index or -1, outcome}
constexpr int kTagWork = 2;     // rank 0 -> worker: next index, or -1 = no more work

void nap() {
  timespec ts{0, 10'000'000};  // 10 ms between polls: rank 0 mostly waits on children
  nanosleep(&ts, nullptr);
}

// Runs point i in a child process and waits for it (workers).
Outcome run_blocking(const Run& run, int i, const PointCommand& command) {
  try {
    if (run.complete(i)) return Outcome::kSkipped;
    return wait_child(start_child(run, i, command), true) == 0 ? Outcome::kComputed : Outcome::kFailed;
  } catch (const std::exception& e) {
    std::cerr << "odimo sweep run: error: " << run.name(i) << ": " << e.what() << "\n";
    return Outcome::kFailed;
  }
}

void work(const Run& run, const PointCommand& command) {
  int msg[2] = {-1, 0};
  while (true) {
    MPI_Send(msg, 2, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
    int index = -1;
    MPI_Recv(&index, 1, MPI_INT, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index < 0) return;
    msg[0] = index;
    msg[1] = int(run_blocking(run, index, command));
  }
}

// Rank 0: answers requests in arrival order and keeps one point of its own running.
int dispatch(const Run& run, int ranks, const PointCommand& command, Tally& tally) {
  const int n = run.plan.points();
  int next = 0, workers = ranks - 1, own_index = -1;
  auto skip_pretraining = [&] {  // run before the barrier
    while (next < n && run.pretraining(next)) ++next;
  };
  skip_pretraining();
  pid_t own = -1;
  while (next < n || own >= 0 || workers > 0) {
    bool busy = false;
    if (own < 0 && next < n) {
      const int i = next++;
      skip_pretraining();
      busy = true;
      try {
        if (run.complete(i)) {
          tally.add(run, i, Outcome::kSkipped, std::cout);
        } else {
          own = start_child(run, i, command), own_index = i;
          std::cout << "  start   " << run.title(i) << " on rank 0\n" << std::flush;
        }
      } catch (const std::exception& e) {
        std::cerr << "odimo sweep run: error: " << run.name(i) << ": " << e.what() << "\n";
        tally.add(run, i, Outcome::kFailed, std::cout);
      }
    }
    if (own >= 0) {
      const int rc = wait_child(own, false);
      if (rc >= 0) {
        tally.add(run, own_index, rc == 0 ? Outcome::kComputed : Outcome::kFailed, std::cout);
        own = -1, busy = true;
      }
    }
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int msg[2];
      MPI_Recv(msg, 2, MPI_INT, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (msg[0] >= 0) tally.add(run, msg[0], Outcome(msg[1]), std::cout);
      int index = next < n ? next++ : -1;
      skip_pretraining();
      if (index < 0)
        --workers;
      else
        std::cout << "  start   " << run.title(index) << " on rank " << status.MPI_SOURCE << "\n"
                  << std::flush;
      MPI_Send(&index, 1, MPI_INT, status.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
      busy = true;
    }
    if (!busy) nap();
  }
  return tally.summary(run, std::cout, true);
}

}  // namespace

void require_mpi() {}

int run_mpi(const Run& run, const PointCommand& command) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int status = 0;
  try {
    Tally tally;
    if (rank == 0) {
      std::cout << "odimo sweep: " << run.plan.points() << " points of " << run.plan_dir << " into "
                << run.out << " over " << ranks << " MPI rank(s)\n"
                << std::flush;
      // The pretraining points first, on rank 0, while the other ranks wait at the barrier.
      for (int i = 0; i < run.plan.points(); ++i)
        if (run.pretraining(i)) {
          std::cout << "  start   " << run.title(i) << " on rank 0 (pretraining)\n" << std::flush;
          tally.add(run, i, run_blocking(run, i, command), std::cout);
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
      status = dispatch(run, ranks, command, tally);
    else
      work(run, command);
  } catch (const std::exception& e) {
    // Rank 0 cannot go on (e.g. a broken plan): stop every rank rather than hang them.
    std::cerr << "odimo sweep run: error: --mpi, rank " << rank << ": " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Finalize();
  return status;
}

}  // namespace odimo::sweep
