#include "observations/products/register.hpp"

#include "observations/products/cgls_ssm/cgls_ssm.hpp"
#include "observations/products/cgls_swi/cgls_swi.hpp"
#include "observations/products/lis_history/lis_history.hpp"
#include "observations/products/smap_l2/smap_l2.hpp"
#include "observations/products/smos_l2/smos_l2.hpp"
#include "observations/products/smos_l3/smos_l3.hpp"

namespace landda::observations::products {

const ProductRegistry& readers() {
  static const ProductRegistry r = [] {
    ProductRegistry reg("product");
    reg.add<SmapL2>("smap_l2");
    reg.add<SmosL2>("smos_l2");
    reg.add<SmosL3>("smos_l3");
    reg.add<CglsSsm>("cgls_ssm");
    reg.add<CglsSwi>("cgls_swi");
    reg.add<LisHistory>("lis_history");
    return reg;
  }();
  return r;
}

}  // namespace landda::observations::products
