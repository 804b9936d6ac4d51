// The MPI calls of `odimo sweep run --mpi` (mpi_module.h), with the plain MPI C API
// (Open MPI, MPICH and vendor MPIs). Built as a loadable module when CMake finds MPI.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include "mapper/sweep/mpi_module.h"

#include <mpi.h>

extern "C" {

void odimo_mpi_start(int* rank, int* ranks) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, ranks);
}

void odimo_mpi_send(const int* values, int count, int to, int tag) {
  MPI_Send(values, count, MPI_INT, to, tag, MPI_COMM_WORLD);
}

int odimo_mpi_receive(int* values, int count, int from, int tag) {
  MPI_Status status;
  MPI_Recv(values, count, MPI_INT, from < 0 ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD, &status);
  return status.MPI_SOURCE;
}

int odimo_mpi_waiting(int tag, int* from) {
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status);
  if (flag) *from = status.MPI_SOURCE;
  return flag;
}

void odimo_mpi_barrier() {
  MPI_Barrier(MPI_COMM_WORLD);
}

void odimo_mpi_abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
}

void odimo_mpi_finish() {
  MPI_Finalize();
}

}  // extern "C"
