#pragma once
// The few message-passing calls `odimo sweep run --mpi` makes, as a plain C interface.
// They live in a module of their own (mpi_module.cpp, libodimo_mpi.so), loaded only when
// --mpi runs: linking the MPI library into the odimo command would load it, with its own
// dependencies, in every process (about 1 ms of every `odimo simulate`).
extern "C" {
// MPI_Init unless done; this process's rank and the number of ranks.
void odimo_mpi_start(int* rank, int* ranks);
void odimo_mpi_send(const int* values, int count, int to, int tag);
// Receives `count` ints with `tag` from rank `from` (-1: any rank); returns the sender.
int odimo_mpi_receive(int* values, int count, int from, int tag);
// Whether a message with `tag` waits; if so, its sender in *from.
int odimo_mpi_waiting(int tag, int* from);
void odimo_mpi_barrier();
void odimo_mpi_abort(int status);
void odimo_mpi_finish();
}

namespace odimo::sweep {

// The module's functions, resolved by load_mpi_module() (mpi.cpp).
struct MpiModule {
  decltype(&odimo_mpi_start) start;
  decltype(&odimo_mpi_send) send;
  decltype(&odimo_mpi_receive) receive;
  decltype(&odimo_mpi_waiting) waiting;
  decltype(&odimo_mpi_barrier) barrier;
  decltype(&odimo_mpi_abort) abort;
  decltype(&odimo_mpi_finish) finish;
};

}  // namespace odimo::sweep
