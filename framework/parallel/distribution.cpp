#include "parallel/distribution.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/error.hpp"
#include "core/exact_sum.hpp"
#include "core/memory.hpp"

namespace landda::parallel {
namespace {

// Splits n items into p contiguous blocks, the first n % p one larger.
template <class T>
std::vector<T> blocks(T n, int p) {
  std::vector<T> start(static_cast<std::size_t>(p) + 1, 0);
  for (int r = 0; r < p; ++r) start[r + 1] = start[r] + n / p + (r < n % p ? 1 : 0);
  return start;
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

int to_int(Index n) {
  if (n > std::numeric_limits<int>::max()) throw ParallelError("message larger than MPI's int count limit");
  return static_cast<int>(n);
}

}  // namespace

Distribution::Distribution(const Comm& comm, Index n_state, int n_members, Index group, int ranks_per_task,
                           Index granule)
    : comm_(&comm),
      rank_(comm.rank()),
      size_(comm.size()),
      per_task_(ranks_per_task),
      n_state_(n_state),
      n_members_(n_members),
      group_(group) {
  if (per_task_ < 1 || size_ % per_task_ != 0)
    throw ParallelError(cat("Distribution: ranks_per_task = ", per_task_, " must divide the number of ranks (", size_, ")"));
  if (group < 1 || n_state % group != 0)
    throw ParallelError(cat("Distribution: ", n_state, " state rows are not whole cells of ", group, " rows"));
  if (granule < 1) throw ParallelError("Distribution: the granule must be at least one group");
  member_start_ = blocks<int>(n_members, size_ / per_task_);
  const Index groups = n_state / group;
  row_start_ = blocks<Index>((groups + granule - 1) / granule, size_);
  for (Index& r : row_start_) r = std::min(r * granule, groups) * group;
  for (Index i = row_start_[rank_]; i < row_start_[rank_ + 1]; ++i) my_rows_.push_back(row_at(i));
}

int Distribution::owner_of_cell(Index c) const {
  const Index row = c * group_;
  if (c < 0 || row >= n_state_) throw ParallelError(cat("Distribution: cell ", c, " is not in the state"));
  return static_cast<int>(std::upper_bound(row_start_.begin(), row_start_.end(), row) - row_start_.begin()) - 1;
}

// The wanted lists go to their owners (counts, then indices), the values come back.
void Distribution::fetch(const std::vector<int>& owner, const std::vector<Index>& local, Index width, const Pack& pack,
                         const Unpack& unpack) const {
  if (owner.size() != local.size()) throw ParallelError("Distribution::fetch: one owner per wanted item expected");
  const auto w = static_cast<std::size_t>(width);
  std::vector<int> ask(size_, 0), asked(size_);
  std::vector<double> own(w);
  for (std::size_t i = 0; i < owner.size(); ++i) {
    const int o = owner[i];
    if (o < 0 || o >= size_) throw ParallelError(cat("Distribution::fetch: no rank ", o));
    if (o != rank_) {
      ++ask[static_cast<std::size_t>(o)];
      continue;
    }
    pack(local[i], own.data());  // this rank's own: no buffer of them all
    unpack(i, own.data());
  }
  check_mpi(MPI_Alltoall(ask.data(), 1, MPI_INT, asked.data(), 1, MPI_INT, comm_->get()), "MPI_Alltoall (fetch counts)");
  const auto ad = displacements(ask), qd = displacements(asked);
  // This rank's requests by owner, remembering which item each answer is.
  std::vector<std::int64_t> requests(static_cast<std::size_t>(ad.back() + ask.back())),
      queries(static_cast<std::size_t>(qd.back() + asked.back()));
  std::vector<std::size_t> slot(requests.size());
  std::vector<int> fill = ad;
  for (std::size_t i = 0; i < local.size(); ++i) {
    if (owner[i] == rank_) continue;
    const auto at = static_cast<std::size_t>(fill[static_cast<std::size_t>(owner[i])]++);
    requests[at] = local[i];
    slot[at] = i;
  }
  check_mpi(MPI_Alltoallv(requests.data(), ask.data(), ad.data(), MPI_INT64_T, queries.data(), asked.data(), qd.data(),
                          MPI_INT64_T, comm_->get()),
            "MPI_Alltoallv (fetch lists)");
  count(asked, sizeof(std::int64_t));
  std::vector<double> answers(queries.size() * w), got(requests.size() * w);
  for (std::size_t q = 0; q < queries.size(); ++q) pack(queries[q], answers.data() + q * w);
  std::vector<int> send(size_), sd(size_), recv(size_), rd(size_);
  for (int s = 0; s < size_; ++s) {
    send[s] = to_int(asked[s] * width), sd[s] = to_int(qd[s] * width);
    recv[s] = to_int(ask[s] * width), rd[s] = to_int(ad[s] * width);
  }
  check_mpi(MPI_Alltoallv(answers.data(), send.data(), sd.data(), MPI_DOUBLE, got.data(), recv.data(), rd.data(), MPI_DOUBLE,
                          comm_->get()),
            "MPI_Alltoallv (fetch values)");
  count(recv, sizeof(double));
  for (std::size_t at = 0; at < requests.size(); ++at) unpack(slot[at], got.data() + at * w);
}

Eigen::MatrixXd Distribution::fetch(const std::vector<int>& owner, const std::vector<Index>& local, Index width,
                                    const Pack& pack) const {
  Eigen::MatrixXd out(width, static_cast<Index>(local.size()));
  fetch(owner, local, width, pack,
        [&](std::size_t i, const double* v) { std::copy_n(v, width, out.col(static_cast<Index>(i)).data()); });
  return out;
}

std::vector<double> Distribution::push(std::vector<double> values, const std::vector<int>& counts) const {
  if (size_ == 1) return values;
  std::vector<int> recv(static_cast<std::size_t>(size_));
  check_mpi(MPI_Alltoall(counts.data(), 1, MPI_INT, recv.data(), 1, MPI_INT, comm_->get()), "MPI_Alltoall (push counts)");
  const auto sd = displacements(counts), rd = displacements(recv);
  std::vector<double> got(static_cast<std::size_t>(rd.back() + recv.back()));
  check_mpi(MPI_Alltoallv(values.data(), counts.data(), sd.data(), MPI_DOUBLE, got.data(), recv.data(), rd.data(),
                          MPI_DOUBLE, comm_->get()),
            "MPI_Alltoallv (push)");
  count(recv, sizeof(double));
  return got;
}

void Distribution::count(const std::vector<int>& counts, std::size_t item) const {
  for (int s = 0; s < size_; ++s)
    if (s != rank_) received_ += static_cast<std::uint64_t>(counts[static_cast<std::size_t>(s)]) * item;
}

// Both exchanges go one member at a time (round m moves every rank's m-th
// member), so that besides the layouts a rank holds one member's values in
// flight, not a packed copy of all its members.
int Distribution::rounds() const { return member_start_[1] - member_start_[0]; }  // the largest block of members

void Distribution::move_to_rows(Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row) const {
  to_rows(by_member, by_row, true);
  by_member = Eigen::MatrixXd();
}

void Distribution::move_to_members(Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member) const {
  to_members(by_row, by_member, true);
  by_row = Eigen::MatrixXd();
}

void Distribution::to_rows(const Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row, bool release) const {
  const int mine = my_member_count();
  if (by_member.rows() != n_state_ || by_member.cols() != mine)
    throw ParallelError("Distribution::to_rows: local ensemble has the wrong shape");
  by_row.resize(my_row_count(), n_members_);
  std::vector<int> scount(size_), rcount(size_), rd(size_);
  std::vector<double> sendbuf(static_cast<std::size_t>(n_state_));
  for (int m = 0; m < rounds(); ++m) {
    std::size_t k = 0;
    for (int s = 0; s < size_; ++s) {
      const bool sends = partner(s) && m < mine, receives = partner(s) && m < member_count(s);
      scount[s] = sends ? to_int(row_count(s)) : 0;
      for (Index i = row_start_[s]; sends && i < row_start_[s + 1]; ++i) sendbuf[k++] = by_member(row_at(i), m);
      // Rank s's m-th member is column member_begin(s) + m: its rows land in place.
      rcount[s] = receives ? to_int(my_row_count()) : 0;
      rd[s] = receives ? to_int(my_row_count() * (member_begin(s) + m)) : 0;
    }
    const auto sd = displacements(scount);
    check_mpi(MPI_Alltoallv(sendbuf.data(), scount.data(), sd.data(), MPI_DOUBLE, by_row.data(), rcount.data(),
                            rd.data(), MPI_DOUBLE, comm_->get()),
              "MPI_Alltoallv (members to rows)");
    count(rcount, sizeof(double));
    if (release && m < mine)  // this member is on its way: its pages go back (the caller gave it up)
      release_pages(const_cast<double*>(by_member.col(m).data()), static_cast<std::size_t>(n_state_) * sizeof(double));
  }
}

void Distribution::to_members(const Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member, bool release) const {
  if (by_row.rows() != my_row_count() || by_row.cols() != n_members_)
    throw ParallelError("Distribution::to_members: row block has the wrong shape");
  const int mine = my_member_count();
  by_member.resize(n_state_, mine);
  std::vector<int> scount(size_), sd(size_), rcount(size_);
  std::vector<double> recvbuf(static_cast<std::size_t>(n_state_));
  for (int m = 0; m < rounds(); ++m) {
    for (int s = 0; s < size_; ++s) {
      // Rank s's m-th member is column member_begin(s) + m (the ranks of a task get the same column).
      const bool sends = m < member_count(s);
      scount[s] = sends ? to_int(my_row_count()) : 0;
      sd[s] = sends ? to_int(my_row_count() * (member_begin(s) + m)) : 0;
      rcount[s] = m < mine ? to_int(row_count(s)) : 0;
    }
    const auto rd = displacements(rcount);
    check_mpi(MPI_Alltoallv(by_row.data(), scount.data(), sd.data(), MPI_DOUBLE, recvbuf.data(), rcount.data(),
                            rd.data(), MPI_DOUBLE, comm_->get()),
              "MPI_Alltoallv (rows to members)");
    count(rcount, sizeof(double));
    std::size_t k = 0;
    for (int s = 0; s < size_ && m < mine; ++s)
      for (Index i = row_start_[s]; i < row_start_[s + 1]; ++i) by_member(row_at(i), m) = recvbuf[k++];
    for (int s = 0; release && s < size_; ++s)  // the columns sent this round go back (the caller gave them up)
      if (m < member_count(s) && (s == 0 || member_begin(s) != member_begin(s - 1)))
        release_pages(const_cast<double*>(by_row.col(member_begin(s) + m).data()),
                      static_cast<std::size_t>(my_row_count()) * sizeof(double));
  }
}

Eigen::VectorXd Distribution::local_member_sum(const Eigen::MatrixXd& mine) const {
  Eigen::VectorXd local = Eigen::VectorXd::Zero(mine.rows());
  if (contributes(rank_))  // the other ranks of a task hold copies of the same members
    for (Index j = 0; j < mine.cols(); ++j) local += mine.col(j);
  return local;
}

Eigen::VectorXd Distribution::member_sum(const Eigen::MatrixXd& mine) const {
  const Eigen::VectorXd local = local_member_sum(mine);
  Eigen::VectorXd total(mine.rows());
  check_mpi(MPI_Allreduce(local.data(), total.data(), to_int(local.size()), MPI_DOUBLE, MPI_SUM, comm_->get()),
            "MPI_Allreduce (sum over members)");
  if (size_ > 1) received_ += static_cast<std::uint64_t>(local.size()) * sizeof(double);  // a reduction's worth
  return total;
}

namespace {

// MPI_SUM of ExactSum pairs (an MPI user operation; Op and type freed on return).
static_assert(sizeof(ExactSum) == 2 * sizeof(double), "ExactSum travels as two contiguous doubles");
void add_exact(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const ExactSum*>(in);
  auto* b = static_cast<ExactSum*>(inout);
  for (int i = 0; i < *len; ++i) b[i].add(a[i]);
}

class ExactSumOp {
 public:
  ExactSumOp() {
    check_mpi(MPI_Type_contiguous(2, MPI_DOUBLE, &type_), "MPI_Type_contiguous (ExactSum)");
    check_mpi(MPI_Type_commit(&type_), "MPI_Type_commit (ExactSum)");
    check_mpi(MPI_Op_create(&add_exact, 1, &op_), "MPI_Op_create (ExactSum)");
  }
  ~ExactSumOp() {
    MPI_Op_free(&op_);
    MPI_Type_free(&type_);
  }
  ExactSumOp(const ExactSumOp&) = delete;
  ExactSumOp& operator=(const ExactSumOp&) = delete;
  MPI_Datatype type() const { return type_; }
  MPI_Op op() const { return op_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  MPI_Op op_ = MPI_OP_NULL;
};

}  // namespace

Eigen::VectorXd Distribution::member_sum_exact(const Eigen::MatrixXd& mine) const {
  std::vector<ExactSum> local(static_cast<std::size_t>(mine.rows())), total(local.size());
  if (contributes(rank_))  // the other ranks of a task hold copies of the same members
    for (Index j = 0; j < mine.cols(); ++j)
      for (Index i = 0; i < mine.rows(); ++i) local[static_cast<std::size_t>(i)].add(mine(i, j));
  if (size_ > 1) {
    const ExactSumOp sum;
    check_mpi(MPI_Allreduce(local.data(), total.data(), to_int(mine.rows()), sum.type(), sum.op(), comm_->get()),
              "MPI_Allreduce (exact sum over members)");
    received_ += static_cast<std::uint64_t>(mine.rows()) * sizeof(ExactSum);  // a reduction's worth
  } else {
    total.swap(local);
  }
  Eigen::VectorXd out(mine.rows());
  for (Index i = 0; i < out.size(); ++i) out[i] = total[static_cast<std::size_t>(i)].value();
  return out;
}

Eigen::MatrixXd Distribution::sum_over_ranks(const Eigen::MatrixXd& mine) const {
  Eigen::MatrixXd total(mine.rows(), mine.cols());
  check_mpi(MPI_Allreduce(mine.data(), total.data(), to_int(mine.size()), MPI_DOUBLE, MPI_SUM, comm_->get()),
            "MPI_Allreduce (sum over ranks)");
  if (size_ > 1) received_ += static_cast<std::uint64_t>(mine.size()) * sizeof(double);  // a reduction's worth
  return total;
}

Eigen::VectorXd Distribution::member_sum_my_cells(const Eigen::MatrixXd& mine, int per_cell) const {
  const Index n_cells = n_state_ / group_;
  if (mine.rows() != per_cell * n_cells) throw ParallelError("Distribution::member_sum_my_cells: per_cell rows of every cell expected");
  const Eigen::VectorXd local = local_member_sum(mine);
  // Packed by destination: each rank's cells, name after name.
  std::vector<double> packed(static_cast<std::size_t>(local.size()));
  std::vector<int> counts(size_);
  std::size_t at = 0;
  for (int s = 0; s < size_; ++s) {
    const Index c0 = row_start_[s] / group_, c1 = row_start_[s + 1] / group_;
    counts[s] = to_int(per_cell * (c1 - c0));
    for (int k = 0; k < per_cell; ++k)
      for (Index c = c0; c < c1; ++c) packed[at++] = local[k * n_cells + c];
  }
  Eigen::VectorXd out(per_cell * my_cell_count());
  check_mpi(MPI_Reduce_scatter(packed.data(), out.data(), counts.data(), MPI_DOUBLE, MPI_SUM, comm_->get()),
            "MPI_Reduce_scatter (sum over members of this rank's cells)");
  if (size_ > 1) received_ += static_cast<std::uint64_t>(out.size()) * sizeof(double) * static_cast<std::uint64_t>(size_ - 1);
  return out;
}

Eigen::MatrixXd Distribution::allgather(const Eigen::MatrixXd& by_member) const {
  if (by_member.rows() != n_state_) throw ParallelError("Distribution::allgather: wrong number of rows");
  return allgather_columns(by_member);
}

Eigen::MatrixXd Distribution::allgather_columns(const Eigen::MatrixXd& mine) const {
  if (mine.cols() != my_member_count()) throw ParallelError("Distribution::allgather_columns: one column per local member expected");
  const Index rows = mine.rows();
  std::vector<int> counts(size_);
  for (int s = 0; s < size_; ++s) counts[s] = contributes(s) ? to_int(rows * member_count(s)) : 0;
  const auto displs = displacements(counts);
  Eigen::MatrixXd full(rows, n_members_);
  check_mpi(MPI_Allgatherv(mine.data(), counts[static_cast<std::size_t>(rank_)], MPI_DOUBLE, full.data(), counts.data(), displs.data(),
                           MPI_DOUBLE, comm_->get()),
            "MPI_Allgatherv (member columns)");
  count(counts, sizeof(double));
  return full;
}

// Every rank's list first (a few integers per observation), then one
// neighbour pair a round (rank + k sends, rank - k receives): a rank holds one
// destination's rows in flight, and a block from rank s lands in place as
// the columns of its members.
Eigen::MatrixXd Distribution::gather_member_rows(const Eigen::MatrixXd& mine, const std::vector<Index>& wanted) const {
  if (mine.cols() != my_member_count()) throw ParallelError("Distribution::gather_member_rows: one column per local member expected");
  const std::vector<int> sizes = [&] {
    std::vector<int> n(size_);
    const int w = to_int(static_cast<Index>(wanted.size()));
    check_mpi(MPI_Allgather(&w, 1, MPI_INT, n.data(), 1, MPI_INT, comm_->get()), "MPI_Allgather (wanted rows)");
    return n;
  }();
  const auto starts = displacements(sizes);
  std::vector<std::int64_t> lists(static_cast<std::size_t>(starts.back() + sizes.back()));
  const std::vector<std::int64_t> own(wanted.begin(), wanted.end());
  check_mpi(MPI_Allgatherv(own.data(), sizes[static_cast<std::size_t>(rank_)], MPI_INT64_T, lists.data(), sizes.data(),
                           starts.data(), MPI_INT64_T, comm_->get()),
            "MPI_Allgatherv (wanted rows)");
  count(sizes, sizeof(std::int64_t));
  const Index nw = static_cast<Index>(wanted.size());
  Eigen::MatrixXd out(nw, n_members_);
  std::vector<double> sendbuf;
  for (int k = 0; k < size_; ++k) {
    const int d = (rank_ + k) % size_, s = (rank_ - k + size_) % size_;
    const auto dd = static_cast<std::size_t>(d);
    const bool sends = contributes(rank_), receives = contributes(s);
    sendbuf.resize(sends ? static_cast<std::size_t>(sizes[dd]) * static_cast<std::size_t>(mine.cols()) : 0);
    std::size_t at = 0;
    for (Index j = 0; sends && j < mine.cols(); ++j)
      for (int r = 0; r < sizes[dd]; ++r) {
        const std::int64_t row = lists[static_cast<std::size_t>(starts[dd] + r)];
        if (row < 0 || row >= mine.rows()) throw ParallelError("Distribution::gather_member_rows: a wanted row is out of range");
        sendbuf[at++] = mine(row, j);
      }
    const int rcount = receives ? to_int(nw * member_count(s)) : 0;
    double* into = out.data() + nw * (receives ? member_begin(s) : 0);
    if (d == rank_) {
      std::copy(sendbuf.begin(), sendbuf.end(), into);
      continue;
    }
    check_mpi(MPI_Sendrecv(sendbuf.data(), to_int(static_cast<Index>(sendbuf.size())), MPI_DOUBLE, d, 0, into, rcount,
                           MPI_DOUBLE, s, 0, comm_->get(), MPI_STATUS_IGNORE),
              "MPI_Sendrecv (wanted rows)");
    received_ += static_cast<std::uint64_t>(rcount) * sizeof(double);
  }
  return out;
}

std::vector<std::uint64_t> Distribution::allgather_words(const std::vector<std::uint64_t>& mine, int per_member) const {
  if (static_cast<int>(mine.size()) != per_member * my_member_count())
    throw ParallelError("Distribution::allgather_words: wrong number of words");
  std::vector<int> counts(size_);
  for (int s = 0; s < size_; ++s) counts[s] = contributes(s) ? per_member * member_count(s) : 0;
  const auto displs = displacements(counts);
  std::vector<std::uint64_t> full(static_cast<std::size_t>(per_member) * n_members_);
  check_mpi(MPI_Allgatherv(mine.data(), counts[static_cast<std::size_t>(rank_)], MPI_UINT64_T, full.data(), counts.data(),
                           displs.data(), MPI_UINT64_T, comm_->get()),
            "MPI_Allgatherv (words)");
  count(counts, sizeof(std::uint64_t));
  return full;
}

Eigen::VectorXd Distribution::allgather_vector(const Eigen::VectorXd& my_rows) const {
  if (my_rows.size() != my_row_count()) throw ParallelError("Distribution::allgather_vector: wrong length");
  std::vector<int> counts(size_);
  for (int s = 0; s < size_; ++s) counts[s] = to_int(row_count(s));
  const auto displs = displacements(counts);
  Eigen::VectorXd gathered(n_state_), full(n_state_);
  check_mpi(MPI_Allgatherv(my_rows.data(), to_int(my_rows.size()), MPI_DOUBLE, gathered.data(), counts.data(),
                           displs.data(), MPI_DOUBLE, comm_->get()),
            "MPI_Allgatherv (rows)");
  count(counts, sizeof(double));
  for (Index i = 0; i < n_state_; ++i) full[row_at(i)] = gathered[i];
  return full;
}

Eigen::MatrixXd Distribution::allgather_rows(const Eigen::MatrixXd& by_row) const {
  Eigen::MatrixXd mine_members;
  to_members(by_row, mine_members);
  return allgather(mine_members);
}

Eigen::MatrixXd Distribution::local_members(const Eigen::MatrixXd& full) const {
  return full.middleCols(my_member_begin(), my_member_count());
}

}  // namespace landda::parallel
