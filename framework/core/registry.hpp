#pragma once
// One registry per plugin interface, keyed by the YAML `type:`. Each layer
// fills its registry in its register.cpp by explicit add<T>() lines (no static
// self-registration, which linkers drop from static libraries).
//
// A plugin T provides: `struct Params { void visit(config::Visitor&); }`, a
// constructor T(const Params&, Args...), and `static constexpr const char* doc`.
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "config/params.hpp"
#include "core/error.hpp"

namespace landda {

template <class Base, class... Args>
class Registry final : public config::PluginKind {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  template <class T>
  void add(const std::string& name) {
    if (entries_.count(name)) throw Error(cat("plugin '", name, "' registered twice as ", kind_));
    Entry e;
    e.doc = T::doc;
    e.visit = [](config::Visitor& v, YAML::Node* resolved) {
      typename T::Params p;
      p.visit(v);
      if (resolved) *resolved = config::write(p);
    };
    e.create = [](const config::Node& node, Args... args) -> std::unique_ptr<Base> {
      typename T::Params p;
      config::read_with(node, [&p](config::Visitor& v) {
        std::string type;
        v.value("type", type, config::doc("plugin type"));
        p.visit(v);
      });
      return std::make_unique<T>(p, args...);
    };
    entries_.emplace(name, std::move(e));
  }

  const std::string& kind_name() const override { return kind_; }

  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries_) out.push_back(name);
    return out;
  }

  bool has(const std::string& name) const { return entries_.count(name) != 0; }

  std::string doc(const std::string& name) const override { return entry(name).doc; }

  void visit_params(const std::string& name, config::Visitor& v, YAML::Node* resolved) const override {
    entry(name).visit(v, resolved);
  }

  // Builds the plugin a validated PluginConfig names.
  std::unique_ptr<Base> create(const config::PluginConfig& pc, Args... args) const {
    return entry(pc.type).create(pc.node, args...);
  }

 private:
  struct Entry {
    std::string doc;
    std::function<void(config::Visitor&, YAML::Node*)> visit;
    std::function<std::unique_ptr<Base>(const config::Node&, Args...)> create;
  };

  const Entry& entry(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw ConfigError(cat("no ", kind_, " type '", name, "' is registered"));
    return it->second;
  }

  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace landda
