// `odimo sweep run --mpi`: dynamic hand-out of sweep points over MPI ranks with the
// MPI calls of the module libodimo_mpi.so (mpi_module.h), loaded when --mpi runs. Built
// only when CMake finds MPI (ODIMO_HAVE_MPI). Each point still runs in its own child
// process, exactly as `--index i` runs it, so results do not depend on the number of ranks.
#include <dlfcn.h>
#include <time.h>

#include <iostream>
#include <string>
#include <type_traits>

#include "mapper/sweep/mpi_module.h"
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

void work(const MpiModule& mpi, const Run& run, const PointCommand& command) {
  int msg[2] = {-1, 0};
  while (true) {
    mpi.send(msg, 2, 0, kTagRequest);
    int index = -1;
    mpi.receive(&index, 1, 0, kTagWork);
    if (index < 0) return;
    msg[0] = index;
    msg[1] = int(run_blocking(run, index, command));
  }
}

// Rank 0: answers requests in arrival order and keeps one point of its own running.
int dispatch(const MpiModule& mpi, const Run& run, int ranks, const PointCommand& command, Tally& tally) {
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
    int from = -1;
    if (mpi.waiting(kTagRequest, &from)) {
      int msg[2];
      mpi.receive(msg, 2, from, kTagRequest);
      if (msg[0] >= 0) tally.add(run, msg[0], Outcome(msg[1]), std::cout);
      int index = next < n ? next++ : -1;
      skip_pretraining();
      if (index < 0)
        --workers;
      else
        std::cout << "  start   " << run.title(index) << " on rank " << from << "\n" << std::flush;
      mpi.send(&index, 1, from, kTagWork);
      busy = true;
    }
    if (!busy) nap();
  }
  return tally.summary(run, std::cout, true);
}

// The MPI module built with this odimo (path set by CMake). RTLD_GLOBAL: MPI libraries
// load their own components, which look for the MPI library's symbols.
MpiModule load_mpi_module() {
  void* handle = dlopen(ODIMO_MPI_MODULE, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) throw Error(std::string("--mpi: cannot load ") + ODIMO_MPI_MODULE + ": " + dlerror());
  auto symbol = [&](auto& f, const char* name) {
    f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(handle, name));
    if (!f) throw Error(std::string("--mpi: ") + ODIMO_MPI_MODULE + " has no " + name);
  };
  MpiModule m{};
  symbol(m.start, "odimo_mpi_start");
  symbol(m.send, "odimo_mpi_send");
  symbol(m.receive, "odimo_mpi_receive");
  symbol(m.waiting, "odimo_mpi_waiting");
  symbol(m.barrier, "odimo_mpi_barrier");
  symbol(m.abort, "odimo_mpi_abort");
  symbol(m.finish, "odimo_mpi_finish");
  return m;
}

}  // namespace

void require_mpi() {
  load_mpi_module();
}

int run_mpi(const Run& run, const PointCommand& command) {
  const MpiModule mpi = load_mpi_module();
  int rank = 0, ranks = 1;
  mpi.start(&rank, &ranks);
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
    mpi.barrier();
    if (rank == 0)
      status = dispatch(mpi, run, ranks, command, tally);
    else
      work(mpi, run, command);
  } catch (const std::exception& e) {
    // Rank 0 cannot go on (e.g. a broken plan): stop every rank rather than hang them.
    std::cerr << "odimo sweep run: error: --mpi, rank " << rank << ": " << e.what() << "\n";
    mpi.abort(2);
  }
  mpi.finish();
  return status;
}

}  // namespace odimo::sweep
