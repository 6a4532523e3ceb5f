#include <catch2/catch.hpp>
#include <sstream>

#include "config/params.hpp"
#include "core/error.hpp"
#include "experiments/core/run_config.hpp"

using namespace landda;
using config::doc;

namespace {

struct Inner {
  double factor = 1.0;
  void visit(config::Visitor& v) { v("factor", factor, doc("a factor").range(1.0, 10.0)); }
};

struct Params {
  int members = 20;
  std::string kind = "alpha";
  std::vector<double> depths{0.05};
  Time start = Time::parse("2017-01-01");
  Duration window{3600};
  bool flag = false;
  Inner inner;
  void visit(config::Visitor& v) {
    v("members", members, doc("ensemble size").range(2, 100));
    v("kind", kind, doc("which kind").one_of({"alpha", "beta"}));
    v("depths", depths, doc("depths").range(0.0, 10.0));
    v("start", start, doc("start time"));
    v("window", window, doc("window"));
    v("flag", flag, doc("a switch"));
    v.section("inner", inner, doc("a section"));
  }
};

Params read(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  Params p;
  config::read(config::load_string(yaml, "test.yaml", sets), p);
  return p;
}

std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    read(yaml, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Params take defaults and read every type", "[framework][config]") {
  const Params d = read("{}");
  CHECK(d.members == 20);
  CHECK(d.inner.factor == 1.0);
  const Params p = read(
      "members: 40\nkind: beta\ndepths: [0.1, 0.3]\nstart: 2018-05-01T06:00:00Z\nwindow: P1D\nflag: true\n"
      "inner:\n  factor: 2.5\n");
  CHECK(p.members == 40);
  CHECK(p.kind == "beta");
  CHECK(p.depths == std::vector<double>{0.1, 0.3});
  CHECK(p.start.iso() == "2018-05-01T06:00:00Z");
  CHECK(p.window.seconds == 86400);
  CHECK(p.flag);
  CHECK(p.inner.factor == 2.5);
}

TEST_CASE("Config errors name the file, line, key path and what is allowed", "[framework][config]") {
  SECTION("unknown key, with a suggestion") {
    const auto e = error_of("members: 4\nmembrs: 5\n");
    CHECK_THAT(e, Catch::StartsWith("test.yaml:2:1: membrs: unknown key"));
    CHECK_THAT(e, Catch::Contains("did you mean 'members'"));
    CHECK_THAT(e, Catch::Contains("allowed keys here: depths, flag, inner, kind, members, start, window"));
  }
  SECTION("unknown key in a section") {
    const auto e = error_of("inner:\n  fctor: 2\n");
    CHECK_THAT(e, Catch::StartsWith("test.yaml:2:3: inner.fctor: unknown key"));
  }
  SECTION("wrong type") {
    CHECK_THAT(error_of("members: twenty\n"), Catch::StartsWith("test.yaml:1:10: members: expected an integer, got 'twenty'"));
    CHECK_THAT(error_of("members: 4.5\n"), Catch::Contains("expected an integer"));
    CHECK_THAT(error_of("depths: 0.1\n"), Catch::Contains("expected a list of numbers"));
    CHECK_THAT(error_of("inner: 3\n"), Catch::Contains("inner: expected a section"));
    CHECK_THAT(error_of("flag: maybe\n"), Catch::Contains("expected true or false"));
    CHECK_THAT(error_of("start: yesterday\n"), Catch::Contains("start: invalid time 'yesterday'"));
  }
  SECTION("out of range") {
    const auto e = error_of("\nmembers: 1\n");
    CHECK_THAT(e, Catch::StartsWith("test.yaml:2:10: members: 1 is out of range"));
    CHECK_THAT(e, Catch::Contains("[2, 100]"));
    CHECK_THAT(error_of("inner: {factor: 0.5}\n"), Catch::Contains("inner.factor: 0.5 is out of range"));
    CHECK_THAT(error_of("depths: [0.1, -1]\n"), Catch::Contains("depths.1: -1 is out of range"));
    CHECK_THAT(error_of("members: .nan\n"), Catch::Contains("expected"));
  }
  SECTION("choices") {
    const auto e = error_of("kind: alhpa\n");
    CHECK_THAT(e, Catch::Contains("'alhpa' is not allowed; allowed: alpha, beta"));
    CHECK_THAT(e, Catch::Contains("did you mean 'alpha'"));
  }
  SECTION("empty value") { CHECK_THAT(error_of("members:\n"), Catch::Contains("members: the key has no value")); }
  SECTION("malformed YAML") {
    try {
      config::load_string("a: [1, 2\nb: 3\n", "bad.yaml");
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("bad.yaml:") && Catch::Contains("malformed YAML"));
    }
  }
}

TEST_CASE("--set overrides any key and is named in errors", "[framework][config]") {
  const Params p = read("members: 4\n", {"members=40", "inner.factor=3", "depths=[1, 2]"});
  CHECK(p.members == 40);
  CHECK(p.inner.factor == 3.0);
  CHECK(p.depths.size() == 2);
  CHECK_THAT(error_of("{}", {"members=1"}), Catch::StartsWith("--set members=1: members: 1 is out of range"));
  CHECK_THAT(error_of("{}", {"inner.nope=1"}), Catch::StartsWith("--set inner.nope=1: inner.nope: unknown key"));
  CHECK_THROWS_WITH(read("{}", {"members"}), Catch::Contains("expected key.path=value"));
}

TEST_CASE("Params write themselves out and read back the same", "[framework][config]") {
  Params p = read("members: 33\nkind: beta\ninner: {factor: 4}\n");
  YAML::Emitter em;
  em << config::write(p);
  const Params q = read(em.c_str());
  CHECK(q.members == 33);
  CHECK(q.kind == "beta");
  CHECK(q.inner.factor == 4.0);
  CHECK(q.start == p.start);
  CHECK(q.window == p.window);
  std::ostringstream os;
  config::describe(os, p);
  CHECK_THAT(os.str(), Catch::Contains("members: integer = 33; allowed [2, 100]"));
  CHECK_THAT(os.str(), Catch::Contains("ensemble size"));
  CHECK_THAT(os.str(), Catch::Contains("factor: number"));
}

TEST_CASE("The run config checks plugin types through the registries", "[framework][config]") {
  const auto load = [](const std::string& yaml) {
    return experiments::read_run_config(config::load_string(yaml, "run.yaml"));
  };
  const auto cfg = load("model: {type: lorenz96}\nfilter: {type: letkf, members: 10, localization: {radius: 5}}\n");
  CHECK(cfg.filter.type == "letkf");
  CHECK(cfg.experiment.type == "twin");
  CHECK_THROWS_WITH(load("model: {type: lorenz96}\nfilter: {type: etfk}\n"),
                    Catch::StartsWith("run.yaml:2:16: filter.type: unknown filter type 'etfk' (did you mean 'etkf'?)"));
  CHECK_THROWS_WITH(load("filter: {type: etkf}\n"), Catch::Contains("model: missing required section"));
  CHECK_THROWS_WITH(load("model: {type: lorenz96}\nfilter: {type: letkf}\n"),
                    Catch::Contains("filter.localization: missing required section"));
  CHECK_THROWS_WITH(load("model: {type: lorenz96, n: 40, F: 8}\n"), Catch::Contains("model.F: unknown key"));
}

TEST_CASE("assigning a copied plugin config leaves the original as it was", "[framework]") {
  // yaml-cpp's assignment writes through to every copy of a node: a compare
  // variant that took another source's operator once rewrote the base's.
  const auto root = config::load_string("a: {type: insitu, depth_m: 0.05}\nb: {type: crns}\n", "alias.yaml");
  const auto make = [&](const char* key) {
    config::PluginConfig p;
    p.node = root.child(key);
    p.type = p.node.yaml()["type"].as<std::string>();
    p.resolved = YAML::Clone(p.node.yaml());
    return p;
  };
  config::PluginConfig a = make("a");
  const config::PluginConfig b = make("b");
  config::PluginConfig copy = a;
  copy = b;
  CHECK(copy.type == "crns");
  CHECK(a.type == "insitu");
  CHECK(a.node.yaml()["depth_m"].as<double>() == 0.05);
  CHECK(!a.node.yaml()["type"].as<std::string>().compare("insitu"));
  CHECK(a.resolved["type"].as<std::string>() == "insitu");
  CHECK(root.yaml()["a"]["type"].as<std::string>() == "insitu");
}

TEST_CASE("What YAML lets pass and a config must not: duplicate keys, documents, negative indexes", "[framework][config]") {
  CHECK_THROWS_WITH(config::load_string("a: 1\nb:\n  c: 2\n  c: 3\n", "dup.yaml"),
                    Catch::Contains("dup.yaml:4:3: key 'c' appears twice in this mapping (first at line 3)"));
  // The same key in different mappings, and in the items of a list, is fine.
  CHECK_NOTHROW(config::load_string("a: {c: 1}\nb: {c: 2}\nl: [{c: 1}, {c: 2}]\n", "ok.yaml"));
  CHECK_THROWS_WITH(config::load_string("a: 1\n---\nb: 2\n", "docs.yaml"),
                    Catch::Contains("docs.yaml:2:1: a second YAML document"));
  const std::string yaml = "l: [1, 2, 3]\n";
  CHECK_THROWS_WITH(config::load_string(yaml, "s.yaml", {"l.-1=5"}),
                    Catch::Contains("--set l.-1=5: list index -1 is negative (lists count from 0)"));
  CHECK_THROWS_WITH(config::load_string(yaml, "s.yaml", {"l.3=5"}),
                    Catch::Contains("list index 3 out of range (the list has 3 item(s))"));
  CHECK_THROWS_WITH(config::load_string(yaml, "s.yaml", {"l.x=5"}), Catch::Contains("'x' must be a list index"));
  CHECK(config::load_string(yaml, "s.yaml", {"l.2=5"}).yaml()["l"][2].as<int>() == 5);
}
