#!/usr/bin/env bash
# landda set-up on Debian 12: installs the Debian packages that are missing,
# configures and builds, then runs the main job or the tests.
#
#   scripts/setup.sh run     # install, build, run the default experiment
#   scripts/setup.sh test    # install, build, run every test
#   scripts/setup.sh build   # install and build only
set -euo pipefail

mode="${1:-build}"
case "$mode" in run | test | build) ;; *)
  echo "usage: scripts/setup.sh [run|test|build]" >&2
  exit 2
  ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LANDDA_BUILD_DIR:-$root/build}"

packages=(
  build-essential cmake pkg-config
  openmpi-bin libopenmpi-dev petsc-dev libhdf5-mpi-dev libnetcdf-mpi-dev
  libeigen3-dev libyaml-cpp-dev libboost-program-options-dev catch2
  libtorch-dev
  netcdf-bin hdf5-tools python3 python3-netcdf4 python3-xarray python3-numpy python3-matplotlib
)
# The tests open the comparison's HTML report in a real browser.
if [ "$mode" = test ]; then packages+=(chromium); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "landda setup: installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
else
  echo "landda setup: every required Debian package is installed"
fi

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"

# The binary must load exactly one HDF5 (the OpenMPI build PETSc uses).
# (the high-level library libhdf5_*_hl belongs to the same build).
hdf5_libs="$(ldd "$build/landda" | grep -oE 'libhdf5[a-z_]*\.so' | sed -E 's/_hl\.so$/.so/' | sort -u)"
if [ "$(echo "$hdf5_libs" | grep -c .)" -ne 1 ]; then
  echo "landda setup: the landda binary loads more than one HDF5 library:" >&2
  echo "$hdf5_libs" >&2
  exit 1
fi

# mpirun refuses root unless told; tests and examples run as root in containers and CI.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

case "$mode" in
  run)
    # The main comparison on the bundled Hawaii data: a column at every SCAN station
    # of the ISMN download, open loop, SMAP, ASCAT and SMOS alone, jointly and merged
    # (mean, TC), validated by every station's probes at every depth.
    out="$root/output/hawaii_stations"
    "$build/landda" compare "$root/experiments/configs/hawaii_stations.yaml" --output "$out"
    echo
    echo "landda setup: done. The report is $out/report.html (tables: $out/report.md, $out/report.csv)."
    ;;
  test)
    cd "$build"
    ctest --output-on-failure -j "$jobs"
    ;;
  build)
    echo "landda setup: built $build/landda"
    ;;
esac
