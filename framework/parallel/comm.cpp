#include "parallel/comm.hpp"

#include <limits>

#include "core/error.hpp"

namespace landda::parallel {

void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(code, msg, &len);
  throw ParallelError(cat("MPI error in ", what, ": ", msg));
}

Comm::~Comm() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

Comm::Comm(Comm&& o) noexcept : comm_(o.comm_) { o.comm_ = MPI_COMM_NULL; }

Comm& Comm::operator=(Comm&& o) noexcept {
  if (this != &o) {
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
    comm_ = o.comm_;
    o.comm_ = MPI_COMM_NULL;
  }
  return *this;
}

Comm Comm::duplicate(MPI_Comm c) {
  MPI_Comm out = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(c, &out), "MPI_Comm_dup");
  return Comm(out);
}

Comm Comm::self() { return duplicate(MPI_COMM_SELF); }

Comm Comm::split(int color, int key) const {
  MPI_Comm out = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(comm_, color, key, &out), "MPI_Comm_split");
  return Comm(out);
}

int Comm::rank() const {
  int r = 0;
  MPI_Comm_rank(comm_, &r);
  return r;
}

int Comm::size() const {
  int s = 1;
  MPI_Comm_size(comm_, &s);
  return s;
}

void Comm::barrier() const { check_mpi(MPI_Barrier(comm_), "MPI_Barrier"); }

double Comm::sum(double v) const {
  double out = 0;
  check_mpi(MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

double Comm::max(double v) const {
  double out = 0;
  check_mpi(MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

void Comm::max_in_place(std::span<double> v) const {
  if (v.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ParallelError("Comm::max_in_place: vector larger than MPI's int count limit");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
}

std::vector<double> Comm::allgather(double v) const {
  std::vector<double> out(static_cast<std::size_t>(size()));
  check_mpi(MPI_Allgather(&v, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, comm_), "MPI_Allgather");
  return out;
}

int Comm::node_size() const {
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  int n = 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n;
}

long long Comm::sum(long long v) const {
  long long out = 0;
  check_mpi(MPI_Allreduce(&v, &out, 1, MPI_LONG_LONG, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

bool Comm::all(bool v) const {
  int in = v ? 1 : 0, out = 0;
  check_mpi(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, comm_), "MPI_Allreduce");
  return out != 0;
}

void Comm::broadcast(std::vector<double>& v, int root) const {
  unsigned long long n = v.size();
  check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm_), "MPI_Bcast");
  v.resize(n);
  if (n) check_mpi(MPI_Bcast(v.data(), static_cast<int>(n), MPI_DOUBLE, root, comm_), "MPI_Bcast");
}

void Comm::broadcast(std::vector<std::uint64_t>& v, int root) const {
  unsigned long long n = v.size();
  check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm_), "MPI_Bcast");
  v.resize(n);
  if (n) check_mpi(MPI_Bcast(v.data(), static_cast<int>(n), MPI_UINT64_T, root, comm_), "MPI_Bcast");
}

void Comm::broadcast(std::string& s, int root) const {
  unsigned long long n = s.size();
  check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm_), "MPI_Bcast");
  s.resize(n);
  if (n) check_mpi(MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, root, comm_), "MPI_Bcast");
}

Layout Layout::make(const Comm& run, int ranks_per_task) {
  const int size = run.size(), rank = run.rank();
  if (ranks_per_task < 1 || size % ranks_per_task != 0)
    throw ConfigError(cat("parallel.ranks_per_task = ", ranks_per_task, " must divide the number of MPI ranks (", size, ")"));
  Layout l;
  l.n_tasks = size / ranks_per_task;
  l.task = rank / ranks_per_task;
  const int rank_in_task = rank % ranks_per_task;
  l.run = run.split(0, rank);
  l.model = run.split(l.task, rank);
  l.couple = run.split(rank_in_task, rank);
  l.filter = run.split(0, rank);
  return l;
}

}  // namespace landda::parallel
