#include "experiments/cycle/run_state.hpp"

#include "core/error.hpp"
#include "io/checkpoint.hpp"
#include "parallel/comm.hpp"
#include "parallel/distribution.hpp"

namespace landda::experiments {
namespace {

std::vector<std::uint64_t> words_of(const std::vector<RandomStream>& streams) {
  std::vector<std::uint64_t> w;
  for (const auto& s : streams) w.insert(w.end(), s.state().begin(), s.state().end());
  return w;
}

void set_words(std::vector<RandomStream>& streams, const std::vector<std::uint64_t>& w, std::size_t first,
               const std::string& origin, const char* name) {
  if (w.size() < (first + streams.size()) * 4)
    throw InputError(cat(origin, ": '", name, "' holds ", w.size() / 4, " random streams; this run needs ",
                         first + streams.size()));
  for (std::size_t j = 0; j < streams.size(); ++j) {
    RandomStream::State s;
    for (std::size_t k = 0; k < 4; ++k) s[k] = w[(first + j) * 4 + k];
    streams[j].set_state(s);
  }
}

// Every field into the checkpoint: shared ones as they are, each rank's
// members as its columns of one ensemble dataset, or (cells layout) each
// rank's cells as its rows of one dataset per field (nothing gathered).
struct Writer {
  io::Checkpoint& cp;
  const parallel::Distribution& dist;
  const CellPatterns* cells;
  void count(const char* name, std::int64_t v) { cp.put(name, v); }
  void shared(const char* name, const Eigen::MatrixXd& m, Rows rows = Rows::whole) {
    if (cells && rows != Rows::whole) cp.put_cells(name, m, cells->of(rows));
    else cp.put(name, m);
  }
  void shared(const char* name, const Eigen::VectorXd& v, Rows rows = Rows::whole) {
    if (cells && rows != Rows::whole) cp.put_cells(name, Eigen::Map<const Eigen::MatrixXd>(v.data(), v.size(), 1), cells->of(rows));
    else cp.put(name, Eigen::MatrixXd(v));
  }
  void members(const char* name, const Eigen::MatrixXd& m, Rows rows) {
    if (cells) cp.put_cells(name, m, cells->of(rows));
    else cp.put_members(name, m, dist.my_member_begin(), dist.n_members(), dist.writes_members());
  }
  // The cells layout: every member's sum, of this rank's cells.
  void member_sum(const char* name, const Eigen::MatrixXd& m, Rows rows) {
    if (cells) cp.put_cells(name, m, cells->of(rows));
    else cp.put(name, Eigen::MatrixXd(dist.member_sum(m)));
  }
  // The cells layout: this rank's cells; the members layout: the rows of every rank gathered (that layout keeps
  // the whole nature run on every rank already).
  void rows(const char* name, const Eigen::VectorXd& v, bool kept) {
    if (!kept) return cp.put(name, Eigen::MatrixXd());
    if (cells) return shared(name, v, Rows::state);
    cp.put(name, Eigen::MatrixXd(dist.allgather_vector(v)));
  }
  void stats(const char* name, const RunStats& s) { cp.put(name, s.pack()); }
  // The cells layout: every rank holds every member's stream, the same on every rank.
  void member_streams(const char* name, const std::vector<RandomStream>& s) {
    if (cells) cp.put(name, words_of(s));
    else cp.put_member_words(name, words_of(s), 4, dist.my_member_begin(), dist.n_members(), dist.writes_members());
  }
  void streams(const char* name, const std::vector<RandomStream>& s) { cp.put(name, words_of(s)); }
};

// Takes each field back: this rank reads the columns of the members it holds
// now, or (cells layout) the rows of the cells it holds now.
struct Reader {
  const io::Checkpoint& cp;
  const parallel::Distribution& dist;
  const CellPatterns* cells;
  const std::string& origin;
  void count(const char* name, std::int64_t& v) { v = cp.scalar(name); }
  // An entry of `rows` x `cols` where this run keeps `want_rows` x `want_cols`: named, with `hint` after.
  void expect_shape(const char* name, Index rows, Index cols, Index want_rows, Index want_cols,
                    const char* hint = "") const {
    if (rows != want_rows || cols != want_cols)
      throw InputError(cat(origin, ": '", name, "' is ", rows, " x ", cols, "; this run keeps ", want_rows, " x ",
                           want_cols, hint));
  }
  // A cell entry of m's columns, this rank's rows.
  void take_cells(const char* name, Eigen::MatrixXd& m, Rows rows) {
    const Index cols = cp.cell_shape(name).second;
    if (cols != m.cols())
      throw InputError(cat(origin, ": '", name, "' has ", cols, " column(s); this run keeps ", m.cols()));
    m = cp.cells(name, cells->of(rows));
  }
  void shared(const char* name, Eigen::MatrixXd& m, Rows rows = Rows::whole) {
    if (cells && rows != Rows::whole) return take_cells(name, m, rows);
    const Eigen::MatrixXd& stored = cp.matrix(name);
    // A field this run sized (a checkpoint of an older landda may keep fewer rows of a learned error).
    if (m.size() > 0)
      expect_shape(name, stored.rows(), stored.cols(), m.rows(), m.cols(),
                   " (a checkpoint of another landda version?): run again without --restart");
    m = stored;
  }
  void shared(const char* name, Eigen::VectorXd& v, Rows rows = Rows::whole) {
    Eigen::MatrixXd m(v.size(), 1);
    shared(name, m, rows);
    v = m.size() ? Eigen::VectorXd(m.col(0)) : Eigen::VectorXd();
  }
  void members(const char* name, Eigen::MatrixXd& m, Rows kind) {
    if (cells) return take_cells(name, m, kind);
    const auto [rows, total] = cp.member_shape(name);
    expect_shape(name, rows, total, m.rows(), dist.n_members());
    m = cp.members(name, dist.my_member_begin(), dist.my_member_count());
  }
  // The total goes to the first model task (each of its ranks, as its cell
  // blocks are joined after a forecast); the other ranks start from zero.
  void member_sum(const char* name, Eigen::MatrixXd& m, Rows rows) {
    if (cells) return take_cells(name, m, rows);
    const Eigen::MatrixXd& total = cp.matrix(name);
    expect_shape(name, total.rows(), total.cols(), m.rows(), 1);
    if (dist.in_first_task()) m = total;
    else m.setZero();
  }
  void rows(const char* name, Eigen::VectorXd& v, bool kept) {
    if (!kept) return;  // nor by the run that wrote it (the same configuration)
    if (cells) return shared(name, v, Rows::state);
    const Eigen::MatrixXd& whole = cp.matrix(name);
    expect_shape(name, whole.rows(), whole.cols(), dist.n_state(), 1);
    const auto mine = dist.my_rows();
    v.resize(static_cast<Index>(mine.size()));
    for (std::size_t k = 0; k < mine.size(); ++k) v[static_cast<Index>(k)] = whole(mine[k], 0);
  }
  void stats(const char* name, RunStats& s) { s.unpack(cp.matrix(name), origin); }
  void member_streams(const char* name, std::vector<RandomStream>& s) {
    if (cells) return streams(name, s);
    const auto [per_member, total] = cp.member_shape(name);
    if (per_member != 4 || total != dist.n_members())
      throw InputError(cat(origin, ": '", name, "' holds ", total, " random streams of ", per_member,
                           " words; this run needs ", dist.n_members(), " of 4"));
    set_words(s, cp.member_words(name, dist.my_member_begin(), dist.my_member_count()), 0, origin, name);
  }
  void streams(const char* name, std::vector<RandomStream>& s) { set_words(s, cp.words(name), 0, origin, name); }
};

}  // namespace

void Checkpointer::write(RunState& s) const {
  io::Checkpoint cp(comm_.get());
  cp.put_text("config", config_);
  Writer w{cp, dist_, cells_ ? &*cells_ : nullptr};
  s.visit(w);
  cp.write(path_);  // collective: every rank writes its own members
}

void Checkpointer::read(RunState& s) const {
  // A damaged checkpoint (a disk error, a copy cut short) is named as such, whatever the HDF5 layer says.
  const auto damaged = [this](const std::string& what) {
    return InputError(cat(path_, ": the checkpoint cannot be read (", what, "); it is damaged or not landda's: run "
                                 "again without --restart"));
  };
  io::Checkpoint cp(comm_.get());
  try {
    cp = io::Checkpoint::read(path_, comm_.get());
    (void)cp.text("config");
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw damaged(e.what());
  }
  if (cp.text("config") != config_)
    throw ConfigError(cat(path_, ": the checkpoint was written by a run with a different configuration; "
                              "restart with the same config and --set options, or run without --restart"));
  Reader r{cp, dist_, cells_ ? &*cells_ : nullptr, path_};
  try {
    s.visit(r);
  } catch (const ConfigError&) {
    throw;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw damaged(e.what());
  }
}

}  // namespace landda::experiments
