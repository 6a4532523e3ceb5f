#include "config/params.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "core/error.hpp"

namespace landda::config {
namespace fs = std::filesystem;

namespace {

std::string fmt_num(double v) {
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}

template <class T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::int64_t>) return "an integer";
  else if constexpr (std::is_same_v<T, double>) return "a number";
  else if constexpr (std::is_same_v<T, bool>) return "true or false";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (std::is_same_v<T, Time>) return "an ISO 8601 time (e.g. 2017-01-01T00:00:00Z)";
  else if constexpr (std::is_same_v<T, Duration>) return "an ISO 8601 duration (e.g. PT6H, P1D) or seconds";
  else if constexpr (std::is_same_v<T, std::vector<double>>) return "a list of numbers";
  else if constexpr (std::is_same_v<T, std::vector<int>>) return "a list of integers";
  else return "a list of strings";
}

template <class T>
constexpr const char* short_type() {
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::int64_t>) return "integer";
  else if constexpr (std::is_same_v<T, double>) return "number";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, Time>) return "time";
  else if constexpr (std::is_same_v<T, Duration>) return "duration";
  else if constexpr (std::is_same_v<T, std::vector<double>>) return "list of numbers";
  else if constexpr (std::is_same_v<T, std::vector<int>>) return "list of integers";
  else return "list of strings";
}

std::string describe_node(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a section";
  if (n.IsNull()) return "nothing";
  return "'" + n.Scalar() + "'";
}

template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
  else if constexpr (std::is_same_v<T, std::string>) return v.empty() ? "\"\"" : v;
  else if constexpr (std::is_same_v<T, Time>) return v.iso();
  else if constexpr (std::is_same_v<T, Duration>) return v.iso();
  else if constexpr (std::is_same_v<T, double>) return fmt_num(v);
  else if constexpr (std::is_arithmetic_v<T>) return std::to_string(v);
  else {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + show(v[i]);
    return out + "]";
  }
}

// Decodes one scalar of type T, or explains what was expected.
template <class T>
T decode_scalar(const Node& n) {
  const YAML::Node& y = n.yaml();
  if (!y.IsScalar()) n.fail(cat("expected ", type_name<T>(), ", got ", describe_node(y)));
  if constexpr (std::is_same_v<T, Time>) {
    try {
      return Time::parse(y.Scalar());
    } catch (const ConfigError& e) {
      n.fail(e.what());
    }
  } else if constexpr (std::is_same_v<T, Duration>) {
    try {
      return Duration::parse(y.Scalar());
    } catch (const ConfigError& e) {
      n.fail(e.what());
    }
  } else {
    T out{};
    if (!YAML::convert<T>::decode(y, out)) n.fail(cat("expected ", type_name<T>(), ", got ", describe_node(y)));
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(out)) n.fail(cat("expected a finite number, got ", describe_node(y)));
    }
    return out;
  }
}

template <class T>
void check_value(const Node& n, const T& v, const Spec& s) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    const auto x = static_cast<double>(v);
    const bool low = s.lo && (s.lo_open ? x <= *s.lo : x < *s.lo);
    const bool high = s.hi && (s.hi_open ? x >= *s.hi : x > *s.hi);
    if (low || high)
      n.fail(cat(show(v), " is out of range; allowed: ", type_name<T>(), " ", s.allowed(),
                 s.text.empty() ? "" : " (" + s.text + ")"));
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!s.choices.empty() && std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end()) {
      const std::string hint = nearest(v, s.choices);
      n.fail(cat("'", v, "' is not allowed; allowed: ", join(s.choices),
                 hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
}

class ReaderV final : public Visitor {
 public:
  // `optional_section`: the section is absent and optional, so its required keys are not asked for.
  ReaderV(Node node, std::vector<std::string> also_allowed, bool optional_section = false)
      : node_(std::move(node)), seen_(std::move(also_allowed)), optional_section_(optional_section) {
    const YAML::Node& y = node_.yaml();
    if (y.IsDefined() && !y.IsNull() && !y.IsMap())
      node_.fail(cat("expected a section of keys (key: value), got ", describe_node(y)));
  }

  void finish() const {
    const YAML::Node& y = node_.yaml();
    if (!y.IsMap()) return;
    for (auto it = y.begin(); it != y.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(seen_.begin(), seen_.end(), key) != seen_.end()) continue;
      const Node where(it->first, node_.path().empty() ? key : node_.path() + "." + key, node_.source_ptr());
      std::vector<std::string> allowed = seen_;
      std::sort(allowed.begin(), allowed.end());
      const std::string hint = nearest(key, allowed);
      where.fail(cat("unknown key", hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                     "; allowed keys here: ", allowed.empty() ? "none" : join(allowed)));
    }
  }

  template <class T>
  void scalar(std::string_view key, T& v, const Spec& s) {
    const Node c = take(key);
    if (!present(c, s)) return;
    T out = decode_scalar<T>(c);
    check_value(c, out, s);
    if constexpr (std::is_same_v<T, std::string>) out = resolve_path(c, out, s);
    v = std::move(out);
  }

  template <class T>
  void list(std::string_view key, std::vector<T>& v, const Spec& s) {
    const Node c = take(key);
    if (!present(c, s)) return;
    if (!c.yaml().IsSequence())
      c.fail(cat("expected ", type_name<std::vector<T>>(), " ([a, b, ...]), got ", describe_node(c.yaml())));
    if (s.non_empty && c.yaml().size() == 0) c.fail(cat("the list is empty; at least one item is needed (", s.text, ")"));
    std::vector<T> out;
    for (std::size_t i = 0; i < c.yaml().size(); ++i) {
      const Node item = c.item(i);
      out.push_back(decode_scalar<T>(item));
      check_value(item, out.back(), s);
      if constexpr (std::is_same_v<T, std::string>) out.back() = resolve_path(item, out.back(), s);
    }
    v = std::move(out);
  }

  void value(std::string_view k, double& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, int& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, std::int64_t& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, bool& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, std::string& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, Time& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, Duration& v, const Spec& s) override { scalar(k, v, s); }
  void value(std::string_view k, std::vector<double>& v, const Spec& s) override { list(k, v, s); }
  void value(std::string_view k, std::vector<int>& v, const Spec& s) override { list(k, v, s); }
  void value(std::string_view k, std::vector<std::string>& v, const Spec& s) override { list(k, v, s); }

  void section(std::string_view key, const Spec& s, const std::function<void(Visitor&)>& body) override {
    const Node c = take(key);
    if (!c.defined() && s.required) c.fail(cat("missing required section (", s.text, ")"));
    ReaderV sub(c, {}, !c.defined());
    body(sub);
    sub.finish();
  }

  void plugin(std::string_view key, PluginConfig& p, const PluginKind& kind, const Spec& s) override {
    const Node c = take(key);
    if (!c.defined() && s.required)
      c.fail(cat("missing required section; it needs 'type:' one of ", join(kind.names())));
    if (!c.defined() && p.type.empty()) return;  // an optional plugin without a default: none
    read_plugin(c, p, kind);
  }

  void section_list(std::string_view key, const Spec& s, const std::function<void(std::size_t)>& resize,
                    const std::function<std::size_t()>&, const std::function<void(std::size_t, Visitor&)>& body,
                    const std::function<void(Visitor&)>&) override {
    const Node c = take(key);
    if (!present(c, s)) return;
    if (!c.yaml().IsSequence()) c.fail(cat("expected a list of sections (- key: value ...), got ", describe_node(c.yaml())));
    resize(c.yaml().size());
    for (std::size_t i = 0; i < c.yaml().size(); ++i) {
      ReaderV sub(c.item(i), {});
      body(i, sub);
      sub.finish();
    }
  }

  void plugin_list(std::string_view key, std::vector<PluginConfig>& ps, const PluginKind& kind,
                   const Spec& s) override {
    const Node c = take(key);
    if (!present(c, s)) return;
    if (!c.yaml().IsSequence())
      c.fail(cat("expected a list of ", kind.kind_name(), " sections (- type: ...), got ", describe_node(c.yaml())));
    ps.clear();
    for (std::size_t i = 0; i < c.yaml().size(); ++i) {
      PluginConfig p;
      read_plugin(c.item(i), p, kind);
      ps.push_back(std::move(p));
    }
  }

 private:
  Node take(std::string_view key) {
    seen_.emplace_back(key);
    return node_.child(key);
  }

  bool present(const Node& c, const Spec& s) const {
    if (c.yaml().IsDefined() && c.yaml().IsNull()) c.fail("the key has no value");
    if (c.yaml().IsDefined()) return true;
    if (s.required && !optional_section_) c.fail(cat("missing required key (", s.text, "); allowed: ", s.allowed()));
    return false;
  }

  static std::string resolve_path(const Node& c, const std::string& v, const Spec& s) {
    // An optional path given as "" means "none", as if the key were absent.
    if (s.path == Spec::PathKind::none || (v.empty() && !s.required)) return v;
    fs::path p(v);
    if (p.is_relative()) p = fs::path(c.source().base_dir) / p;
    p = p.lexically_normal();
    std::error_code ec;
    if (s.path == Spec::PathKind::existing_file && !fs::is_regular_file(p, ec))
      c.fail(cat("file '", v, "' does not exist (looked for ", p.string(), "; relative paths are relative to the config file)"));
    if (s.path == Spec::PathKind::existing_dir && !fs::is_directory(p, ec))
      c.fail(cat("folder '", v, "' does not exist (looked for ", p.string(), "; relative paths are relative to the config file)"));
    return p.string();
  }

  static void read_plugin(const Node& c, PluginConfig& p, const PluginKind& kind) {
    const YAML::Node& y = c.yaml();
    if (y.IsDefined() && !y.IsNull() && !y.IsMap())
      c.fail(cat("expected a section with 'type:' (one of ", join(kind.names()), "), got ", describe_node(y)));
    std::string type = p.type;
    const Node t = c.child("type");
    if (t.yaml().IsDefined()) type = decode_scalar<std::string>(t);
    const auto names = kind.names();
    if (type.empty()) c.fail(cat("missing 'type:'; allowed: ", join(names)));
    if (std::find(names.begin(), names.end(), type) == names.end()) {
      const std::string hint = nearest(type, names);
      t.fail(cat("unknown ", kind.kind_name(), " type '", type, "'",
                 hint.empty() ? "" : " (did you mean '" + hint + "'?)", "; registered: ", join(names)));
    }
    p.type = type;
    p.node = c;
    ReaderV sub(c, {"type"});
    YAML::Node values;
    kind.visit_params(type, sub, &values);  // reads and checks every key
    sub.finish();
    YAML::Node resolved(YAML::NodeType::Map);
    resolved["type"] = type;
    for (auto it = values.begin(); it != values.end(); ++it) resolved[it->first.Scalar()] = it->second;
    p.resolved = resolved;
  }

  Node node_;
  std::vector<std::string> seen_;
  bool optional_section_ = false;
};

class WriterV final : public Visitor {
 public:
  YAML::Node out{YAML::NodeType::Map};

  template <class T>
  void put(std::string_view key, const T& v) {
    if constexpr (std::is_same_v<T, Time> || std::is_same_v<T, Duration>) out[std::string(key)] = v.iso();
    else out[std::string(key)] = v;
  }
  void value(std::string_view k, double& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, int& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, std::int64_t& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, bool& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, std::string& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, Time& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, Duration& v, const Spec&) override { put(k, v); }
  void value(std::string_view k, std::vector<double>& v, const Spec&) override { flow(k, v); }
  void value(std::string_view k, std::vector<int>& v, const Spec&) override { flow(k, v); }
  void value(std::string_view k, std::vector<std::string>& v, const Spec&) override { flow(k, v); }
  void section(std::string_view key, const Spec&, const std::function<void(Visitor&)>& body) override {
    WriterV sub;
    body(sub);
    out[std::string(key)] = sub.out;
  }
  void plugin(std::string_view key, PluginConfig& p, const PluginKind&, const Spec&) override {
    if (p.type.empty()) return;  // an optional plugin left out
    out[std::string(key)] = p.resolved;
  }
  void plugin_list(std::string_view key, std::vector<PluginConfig>& ps, const PluginKind&, const Spec&) override {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (auto& p : ps) seq.push_back(p.resolved);
    out[std::string(key)] = seq;
  }
  void section_list(std::string_view key, const Spec&, const std::function<void(std::size_t)>&,
                    const std::function<std::size_t()>& size, const std::function<void(std::size_t, Visitor&)>& body,
                    const std::function<void(Visitor&)>&) override {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < size(); ++i) {
      WriterV sub;
      body(i, sub);
      seq.push_back(sub.out);
    }
    out[std::string(key)] = seq;
  }

 private:
  template <class T>
  void flow(std::string_view k, const std::vector<T>& v) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const auto& x : v) seq.push_back(x);
    seq.SetStyle(YAML::EmitterStyle::Flow);
    out[std::string(k)] = seq;
  }
};

class DescriberV final : public Visitor {
 public:
  DescriberV(std::ostream& os, int indent) : os_(os), indent_(indent) {}

  template <class T>
  void line(std::string_view key, const T& v, const Spec& s) {
    os_ << std::string(indent_, ' ') << key << ": " << short_type<T>();
    if (s.required) os_ << ", required";
    else os_ << " = " << show(v);
    if (!s.units.empty()) os_ << " [" << s.units << "]";
    const std::string allowed = s.allowed();
    if (!allowed.empty()) os_ << "; allowed " << allowed;
    os_ << '\n';
    text(s.text);
  }
  void value(std::string_view k, double& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, int& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, std::int64_t& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, bool& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, std::string& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, Time& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, Duration& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, std::vector<double>& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, std::vector<int>& v, const Spec& s) override { line(k, v, s); }
  void value(std::string_view k, std::vector<std::string>& v, const Spec& s) override { line(k, v, s); }
  void section(std::string_view key, const Spec& s, const std::function<void(Visitor&)>& body) override {
    os_ << std::string(indent_, ' ') << key << ": section" << (s.required ? ", required" : "") << '\n';
    text(s.text);
    DescriberV sub(os_, indent_ + 2);
    body(sub);
  }
  void plugin(std::string_view key, PluginConfig& p, const PluginKind& kind, const Spec& s) override {
    os_ << std::string(indent_, ' ') << key << ": " << kind.kind_name() << " section";
    if (!p.type.empty()) os_ << ", default type " << p.type;
    os_ << "; type one of " << join(kind.names()) << '\n';
    text(sentence(s.text) + " Keys of each type: landda describe <type>.");
  }
  void section_list(std::string_view key, const Spec& s, const std::function<void(std::size_t)>&,
                    const std::function<std::size_t()>&, const std::function<void(std::size_t, Visitor&)>&,
                    const std::function<void(Visitor&)>& prototype) override {
    os_ << std::string(indent_, ' ') << key << ": list of sections, each with:\n";
    text(s.text);
    DescriberV sub(os_, indent_ + 2);
    prototype(sub);
  }
  void plugin_list(std::string_view key, std::vector<PluginConfig>&, const PluginKind& kind,
                   const Spec& s) override {
    os_ << std::string(indent_, ' ') << key << ": list of " << kind.kind_name() << " sections; type one of "
        << join(kind.names()) << '\n';
    text(sentence(s.text) + " Keys of each type: landda describe <type>.");
  }

 private:
  static std::string sentence(std::string t) {
    if (!t.empty() && t.back() != '.') t += '.';
    if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
    return t;
  }
  void text(const std::string& t) {
    if (!t.empty()) os_ << std::string(indent_ + 4, ' ') << t << '\n';
  }
  std::ostream& os_;
  int indent_;
};

}  // namespace

std::string Spec::allowed() const {
  if (!choices.empty()) return "one of " + join(choices);
  if (lo && hi) return cat(lo_open ? "(" : "[", fmt_num(*lo), ", ", fmt_num(*hi), hi_open ? ")" : "]");
  if (lo) return cat(lo_open ? "> " : ">= ", fmt_num(*lo));
  if (hi) return cat(hi_open ? "< " : "<= ", fmt_num(*hi));
  if (path == PathKind::existing_file) return "an existing file";
  if (path == PathKind::existing_dir) return "an existing folder";
  return "";
}

void read_with(const Node& node, const std::function<void(Visitor&)>& body) {
  ReaderV r(node, {});
  body(r);
  r.finish();
}

YAML::Node write_with(const std::function<void(Visitor&)>& body) {
  WriterV w;
  body(w);
  return w.out;
}

void describe_with(std::ostream& os, const std::function<void(Visitor&)>& body, int indent) {
  DescriberV d(os, indent);
  body(d);
}

}  // namespace landda::config
