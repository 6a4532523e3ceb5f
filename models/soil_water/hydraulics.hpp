#pragma once
// Soil hydraulic functions and the pedotransfer functions that give their
// parameters from texture. Two families:
//  - Clapp & Hornberger (1978): h = -psi_s (theta/theta_s)^-b,
//    K = K_s (theta/theta_s)^(2b+3); parameters by Cosby et al. (1984,
//    Table 5, the univariate sand/clay regressions used by CLM).
//  - van Genuchten (1980) with Mualem (1976) conductivity; parameters by the
//    HYPRES continuous pedotransfer functions of Wosten et al. (1999).
// Heads are in metres (negative when unsaturated), conductivities in m/s.
#include <Eigen/Core>
#include <string>

namespace landda::models::soil {

enum class Retention { clapp_hornberger, van_genuchten };

// Parameters of one soil (one layer of one cell).
struct SoilHydraulics {
  double theta_s = 0.45;  // porosity (saturated water content)
  double theta_r = 0.0;   // residual water content
  double k_s = 1e-5;      // saturated conductivity (m/s)
  double b = 5.0;         // Clapp-Hornberger exponent
  double psi_s = 0.3;     // Clapp-Hornberger air-entry suction (m, positive)
  double alpha = 1.0;     // van Genuchten alpha (1/m)
  double n = 1.5;         // van Genuchten n
  double l = 0.5;         // Mualem pore-connectivity
};

struct Texture {
  double sand = 40, clay = 20, silt = 40;  // % by weight of the mineral soil
  double organic_carbon = 1.0;              // % by weight
  double bulk_density = 1.4;                // g/cm3
  bool topsoil = true;
  double porosity = 0.0;                    // m3/m3 when measured (e.g. HWSD 'saturation'); 0: from the PTF
};

// Cosby et al. (1984) univariate regressions on sand and clay (as in CLM 4.5,
// Oleson et al. 2013, eqs. 7.85-7.91): theta_s = 0.489 - 0.00126 sand,
// psi_s = 10^(1.88 - 0.0131 sand) mm, b = 2.91 + 0.159 clay,
// K_s = 0.0070556 10^(-0.884 + 0.0153 sand) mm/s.
SoilHydraulics cosby1984(const Texture& t);
// Wosten et al. (1999) HYPRES continuous PTFs (clay, silt, organic matter %,
// bulk density g/cm3, topsoil flag); organic matter = 1.724 x organic carbon.
// theta_r is 0.01 as in the HYPRES class PTFs.
SoilHydraulics wosten1999(const Texture& t);

// Above this effective saturation the van Genuchten head and conductivity are
// continued linearly to saturation, so heads stay finite and Newton's Jacobian
// bounded; beyond theta_s every retention model continues as a stiff linear
// storage (positive pressure builds quickly). Shared by the scalar functions
// below and the batched kernels (column_kernels.hpp).
constexpr double kSeCap = 0.999;
constexpr double kStorage = 1e-2;  // 1/m: 1 m of head per 0.01 of water content above saturation

// Pressure head h(theta) and its derivative; conductivity K(theta) and its derivative.
struct HydraulicState {
  double h, dh, k, dk;
};
HydraulicState evaluate(Retention r, const SoilHydraulics& p, double theta);
// The water content at head h (inverse retention), h <= 0.
double theta_at_head(Retention r, const SoilHydraulics& p, double h);

Retention parse_retention(const std::string& name);

}  // namespace landda::models::soil
