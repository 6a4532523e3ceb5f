#pragma once
// The soil-water land surface model: a column of soil layers per grid cell,
// water content per layer as the state. Richards equation (richards.hpp),
// infiltration with runoff, free drainage, evapotranspiration from the
// forcing (evapotranspiration.hpp) split into soil evaporation from the top
// layer and root-weighted transpiration with water stress (Feddes et al.
// 1978, linear between wilting point and field capacity), a degree-day snow
// store, and an ensemble made by perturbing forcing (log-normal precipitation,
// additive temperature, multiplicative shortwave, AR(1) in time) and soil
// parameters (log-normal K_s and b or n), as LIS and TSMP-PDAF do.
#include <map>
#include <memory>

#include "config/params.hpp"
#include "interfaces/model.hpp"
#include "models/soil_water/evapotranspiration.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/richards.hpp"

namespace landda::models {

class SoilWater final : public Model {
 public:
  static constexpr const char* doc =
      "multi-layer soil-water column model per cell: Richards equation (implicit, mass-conservative Newton), "
      "Clapp-Hornberger or van Genuchten soils from texture, ET from the forcing, perturbed forcing ensemble";

  struct GridParams {
    std::string kind = "points";
    std::vector<double> lon{-88.37}, lat{40.01};
    std::vector<std::string> names{"bondville"};
    double lon_min = -88.5, lon_max = -88.2, lat_min = 39.9, lat_max = 40.2;
    int nx = 4, ny = 4;
    // projected: Lambert azimuthal equal-area about (center_lon, center_lat), cell centres in km
    double center_lon = -88.37, center_lat = 40.01;
    double x_min = -10, x_max = 10, y_min = -10, y_max = 10;
    void visit(config::Visitor& v);
    Grid build() const;
  };
  struct SoilParams {
    std::string source = "constant";
    double sand = 20, clay = 20, organic_carbon = 1.5, bulk_density = 1.35;
    std::vector<std::string> ismn_files;
    std::string file;
    double heterogeneity = 0.0;
    int heterogeneity_seed = 1;
    bool use_saturation = true;
    void visit(config::Visitor& v);
  };
  struct VegetationParams {
    double fraction = 0.7;
    double root_beta = 0.961;
    double albedo = 0.23;
    double wilting_head_m = -150.0;
    double field_capacity_head_m = -3.3;
    void visit(config::Visitor& v);
  };
  struct PerturbationParams {
    double precipitation_sd = 0.5;
    double temperature_sd = 1.0;
    double shortwave_sd = 0.2;
    Duration correlation{86400};
    double ks_sd = 0.5;
    double shape_sd = 0.1;
    void visit(config::Visitor& v);
  };
  struct Params {
    GridParams grid;
    std::vector<double> layer_bottoms{0.05, 0.15, 0.30, 0.60, 1.00, 2.00};
    std::string retention = "clapp_hornberger";
    std::string solver = "native";
    std::string scheme = "newton";
    Duration time_step{3600};
    std::string forcing;
    double forcing_memory_mb = 256;
    std::string et_method = "auto";
    double wind_height_m = 10.0;
    SoilParams soil;
    VegetationParams vegetation;
    double snow_threshold_k = 273.15;
    double degree_day_mm = 3.0;
    PerturbationParams perturbation;
    double initial_saturation = 0.5;
    double tolerance_m = 1e-11;
    int max_iterations = 30;
    void visit(config::Visitor& v);
  };

  explicit SoilWater(const Params& p);
  // Tests and benchmarks: the same model with forcing held in memory.
  SoilWater(const Params& p, soil::Forcing forcing);

  const Grid& grid() const override { return grid_; }
  // The grid a run config's `model.grid` describes, without building the model
  // (importers put data onto it).
  static Grid grid_of(const config::Node& root);
  const StateLayout& layout() const override { return layout_; }
  Duration time_step() const override { return p_.time_step; }
  void initial_state(Eigen::Ref<Eigen::VectorXd> x, Time t0) const override;
  void advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> members, std::span<RandomStream> rng, Time t0,
               Time t1, MemberData extra) override;
  void check_period(Time t0, Time t1) const override { forcing_.check_covers(t0, t1); }
  void clamp(Eigen::Ref<Eigen::MatrixXd> X, std::span<const Index> rows) const override;
  // Memory: snow per cell, then the three forcing-error AR(1) states and the member's key of its K_s and b/n
  // shape multipliers (two 32-bit halves; 0 unperturbed): the multipliers are drawn again from the key where
  // a block is advanced, not kept (16 bytes a cell and member).
  Index memory_size() const override { return static_cast<Index>(n_cells_) + kMemoryTail; }
  bool independent_cells() const override { return true; }
  int memory_per_cell() const override { return 1; }
  // The forcing's records held (the whole file, or two days of every cell) and the per-cell
  // soil arrays (about 64 bytes a distinct layer and cell: the retention's parameters,
  // wilting point and water-stress term; 16 more for the latitude and evaporation term), whatever the members.
  double resident_bytes(int /*members*/) const override {
    return forcing_.bytes() + static_cast<double>(kept_end_ - kept_begin_) * (16.0 + 64.0 * static_cast<double>(soil_.theta_s.size()));
  }
  void keep_cells(Index begin, Index end) override;
  // Newton iterates (and halves its step) per batch of kBlock cells; the linearized step is per column.
  Index cell_granule() const override { return p_.scheme == "linearized" && p_.solver == "native" ? 1 : kBlock; }
  void initial_memory(Eigen::Ref<Eigen::VectorXd> memory, int member, RandomStream* rng) const override;
  std::vector<std::string> diagnostic_names() const override;
  std::vector<double> layer_bottoms() const override { return p_.layer_bottoms; }
  bool static_field(const std::string& name, Eigen::VectorXd& out) const override;

  // The hydraulic parameters of a layer of a cell (one the model keeps).
  soil::SoilHydraulics soil_at(int layer, Index cell) const {
    return soil_.at(static_cast<int>(held_[static_cast<std::size_t>(layer)]), cell - kept_begin_);
  }
  // Newton iterations per column-step since construction (benchmarks).
  double mean_newton_iterations() const { return steps_ ? static_cast<double>(iterations_) / steps_ : 0.0; }
  soil::EtMethod et_method() const { return et_; }

 private:
  void build_grid();
  void build_soil();
  void build_water_stress(soil::Retention retention);
  // Cells are advanced in blocks of this many: a block's state and work arrays fit in cache.
  static constexpr Index kBlock = 256;
  static constexpr Index kMemoryTail = 5;  // three AR(1) states, the key's two halves
  // A member's K_s and shape multipliers of cells c0 .. c0 + kmult.size() - 1 (ones when unperturbed).
  void multipliers(const Eigen::Ref<const Eigen::VectorXd>& m, Index n, Index c0, Eigen::ArrayXd& kmult,
                   Eigen::ArrayXd& shape) const;
  // One member's window: its forcing errors per step and, for a forcing that
  // is the same everywhere, the forcing and potential ET per step.
  struct Window {
    std::vector<double> pr_factor, tas_offset, sw_factor;
    bool uniform = false;
    std::vector<double> pr, tas, pet;
  };
  // Work arrays of one cell block.
  struct Block {
    Eigen::ArrayXXd theta, sink;
    soil::MetStep met;
    Eigen::ArrayXd pet, supply, snow_free, kmult, shape;
    soil::StepFluxes fx;
    soil::SoilArrays soil;  // the block's soil with this member's multipliers
  };
  // Where a member's per-cell rows are: cell c at (c - offset), each quantity `stride` cells long.
  struct Storage {
    Index stride = 0, offset = 0;
  };
  // diag: the member's diagnostics column (null: not kept).
  void advance_member(Eigen::Ref<Eigen::VectorXd> x, Eigen::Ref<Eigen::VectorXd> memory, double* diag, RandomStream* rng,
                      Time t0, Time t1, Index cell_begin, Index cell_end, Storage at);
  void advance_block(Eigen::Ref<Eigen::VectorXd> x, Eigen::Ref<Eigen::VectorXd> memory, double* diag, Index c0, Index nb,
                     Time t0, std::size_t steps, Storage at);
  void read_met(soil::MetStep& met, const Window& w, std::size_t k, Time t, Index c0) const;
  soil::ColumnSolver& solver_for(Index columns);

  Params p_;
  Grid grid_;
  StateLayout layout_;
  int n_cells_ = 0;
  soil::LayerGrid layers_;
  // The per-cell arrays below hold cells [kept_begin_, kept_end_) (every cell unless keep_cells).
  Index kept_begin_ = 0, kept_end_ = 0;
  soil::SoilArrays soil_;             // its distinct layers only
  std::vector<std::size_t> held_;     // per layer: its arrays in soil_, theta_wp_ and inv_stress_
  std::vector<Eigen::ArrayXd> theta_wp_, roots_;  // per stored layer (roots: per layer), per cell
  std::vector<Eigen::ArrayXd> inv_stress_;  // 1 / (field capacity - wilting point), per stored layer
  Eigen::ArrayXd inv_evap_;                 // top layer: 1 / (field capacity - wilting point / 2)
  soil::Forcing forcing_;
  soil::EtMethod et_ = soil::EtMethod::penman_monteith;
  Eigen::ArrayXd lat_;
  std::map<Index, std::unique_ptr<soil::ColumnSolver>> solvers_;  // native, by block size
  std::unique_ptr<soil::ColumnSolver> petsc_;
  Window window_;
  Eigen::MatrixXd unkept_memory_;  // the memory of members whose caller keeps none
  std::map<Index, Block> blocks_;  // work arrays, by block size
  long long iterations_ = 0, steps_ = 0;
};

}  // namespace landda::models
