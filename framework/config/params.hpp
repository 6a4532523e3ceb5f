#pragma once
// Parameters: every plugin declares its keys once, in a visit() method, and
// the same declaration reads them from YAML (checking types and ranges,
// rejecting unknown keys), documents them (`landda describe`) and writes the
// resolved config. Modelled on JEDI OOPS's Parameters classes.
//
//   struct Params {
//     int members = 20;
//     void visit(config::Visitor& v) {
//       v("members", members, config::doc("ensemble size").range(2, 100000));
//     }
//   };
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.hpp"
#include "core/time.hpp"

namespace landda::config {

// What a key means and which values it accepts.
struct Spec {
  enum class PathKind { none, existing_file, existing_dir, output_dir };

  std::string text;
  std::string units;
  std::optional<double> lo, hi;
  bool lo_open = false, hi_open = false;
  std::vector<std::string> choices;
  bool required = false;
  bool non_empty = false;  // lists: at least one item
  PathKind path = PathKind::none;

  Spec& range(double l, double h) { lo = l; hi = h; return *this; }
  Spec& at_least(double l) { lo = l; return *this; }
  Spec& above(double l) { lo = l; lo_open = true; return *this; }
  Spec& at_most(double h) { hi = h; return *this; }
  Spec& below(double h) { hi = h; hi_open = true; return *this; }
  Spec& one_of(std::vector<std::string> c) { choices = std::move(c); return *this; }
  Spec& needed() { required = true; return *this; }
  Spec& not_empty() { non_empty = true; return *this; }
  Spec& in(std::string u) { units = std::move(u); return *this; }
  Spec& file() { path = PathKind::existing_file; return *this; }
  Spec& dir() { path = PathKind::existing_dir; return *this; }

  std::string allowed() const;  // "an integer in [2, 100000]" style text for messages
};

inline Spec doc(std::string text) {
  Spec s;
  s.text = std::move(text);
  return s;
}

// The `log_level` key every top-level config has.
inline Spec log_levels() {
  return doc("how much to print").one_of({"trace", "debug", "info", "warn", "error", "off"});
}

// A plugin chosen by `type:` plus its validated keys; created later by its registry.
struct PluginConfig {
  std::string type;
  Node node;              // the section as written (after --set)
  YAML::Node resolved;    // every key with its value or default, for the resolved config
  PluginConfig() = default;
  PluginConfig(const PluginConfig&) = default;
  // Rebinds the YAML nodes instead of writing through to their other copies.
  PluginConfig& operator=(const PluginConfig& o) {
    if (this != &o) {
      type = o.type;
      node = o.node;
      resolved.reset(o.resolved);
    }
    return *this;
  }
};

class Visitor;

// What a registry offers to the visitors: its names, their docs and params.
class PluginKind {
 public:
  virtual ~PluginKind() = default;
  virtual const std::string& kind_name() const = 0;  // "filter", "model", ...
  virtual std::vector<std::string> names() const = 0;
  virtual std::string doc(const std::string& name) const = 0;
  // Visits a default-constructed params struct of that type; when `resolved`
  // is given, the struct is then written into it (every key, defaults included).
  virtual void visit_params(const std::string& name, Visitor& v, YAML::Node* resolved) const = 0;
};

class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual void value(std::string_view key, double& v, const Spec& s) = 0;
  virtual void value(std::string_view key, int& v, const Spec& s) = 0;
  virtual void value(std::string_view key, std::int64_t& v, const Spec& s) = 0;
  virtual void value(std::string_view key, bool& v, const Spec& s) = 0;
  virtual void value(std::string_view key, std::string& v, const Spec& s) = 0;
  virtual void value(std::string_view key, Time& v, const Spec& s) = 0;
  virtual void value(std::string_view key, Duration& v, const Spec& s) = 0;
  virtual void value(std::string_view key, std::vector<double>& v, const Spec& s) = 0;
  virtual void value(std::string_view key, std::vector<int>& v, const Spec& s) = 0;
  virtual void value(std::string_view key, std::vector<std::string>& v, const Spec& s) = 0;
  virtual void section(std::string_view key, const Spec& s, const std::function<void(Visitor&)>& body) = 0;
  virtual void plugin(std::string_view key, PluginConfig& p, const PluginKind& kind, const Spec& s) = 0;
  virtual void plugin_list(std::string_view key, std::vector<PluginConfig>& p, const PluginKind& kind,
                           const Spec& s) = 0;
  // A list of sections of one struct type: `resize(n)` makes room for n read
  // items, `size()` says how many there are, `body(i, v)` visits item i and
  // `prototype(v)` a default item (for descriptions).
  virtual void section_list(std::string_view key, const Spec& s, const std::function<void(std::size_t)>& resize,
                            const std::function<std::size_t()>& size,
                            const std::function<void(std::size_t, Visitor&)>& body,
                            const std::function<void(Visitor&)>& prototype) = 0;

  template <class T>
  void operator()(std::string_view key, T& v, const Spec& s) {
    value(key, v, s);
  }
  // A list of nested structs.
  template <class P>
  void sections(std::string_view key, std::vector<P>& items, const Spec& s) {
    section_list(
        key, s, [&items](std::size_t n) { items.resize(n); }, [&items]() { return items.size(); },
        [&items](std::size_t i, Visitor& v) { items[i].visit(v); },
        [](Visitor& v) {
          P proto;
          proto.visit(v);
        });
  }
  // A nested struct with its own visit(Visitor&).
  template <class P>
  void section(std::string_view key, P& p, const Spec& s) {
    section(key, s, [&p](Visitor& sub) { p.visit(sub); });
  }
};

// Reads a params struct from a node; throws ConfigError naming the file, the
// line, the key path and what is allowed.
template <class P>
void read(const Node& node, P& params);
// Writes a params struct (every key, defaults included) as YAML.
template <class P>
YAML::Node write(P& params);
// Prints one line per key: name, type, default, allowed values, meaning.
template <class P>
void describe(std::ostream& os, P& params, int indent = 2);

// Non-template workers behind the templates above.
class Reader;
void read_with(const Node& node, const std::function<void(Visitor&)>& body);
YAML::Node write_with(const std::function<void(Visitor&)>& body);
void describe_with(std::ostream& os, const std::function<void(Visitor&)>& body, int indent);

template <class P>
void read(const Node& node, P& params) {
  read_with(node, [&params](Visitor& v) { params.visit(v); });
}
template <class P>
YAML::Node write(P& params) {
  return write_with([&params](Visitor& v) { params.visit(v); });
}
template <class P>
void describe(std::ostream& os, P& params, int indent) {
  describe_with(os, [&params](Visitor& v) { params.visit(v); }, indent);
}

}  // namespace landda::config
