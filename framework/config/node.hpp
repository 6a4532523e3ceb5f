#pragma once
// A YAML node that remembers where it came from (file, line, key path, or a
// --set override), so that every configuration error can say where to look.
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace landda::config {

struct Source {
  std::string file;      // the config file as the user named it
  std::string base_dir;  // relative paths in the config are resolved against this
  std::map<std::string, std::string> overrides;  // key path -> "key=value" given with --set
};

class Node {
 public:
  Node() = default;
  Node(YAML::Node yaml, std::string path, std::shared_ptr<const Source> source, YAML::Mark fallback = {});
  Node(const Node&) = default;
  // Rebinds: yaml-cpp's own assignment writes through to every copy of the
  // node assigned to, so a config copied and then changed would change the original.
  Node& operator=(const Node& o) {
    if (this != &o) {
      yaml_.reset(o.yaml_);
      path_ = o.path_;
      source_ = o.source_;
      fallback_ = o.fallback_;
    }
    return *this;
  }

  const YAML::Node& yaml() const { return yaml_; }
  const std::string& path() const { return path_; }
  const Source& source() const { return *source_; }
  std::shared_ptr<const Source> source_ptr() const { return source_; }
  bool defined() const { return yaml_.IsDefined() && !yaml_.IsNull(); }

  Node child(std::string_view key) const;
  Node item(std::size_t index) const;
  // file:line:col of this node (or of its parent where the key is missing),
  // or the --set option that produced it.
  std::string where() const;
  // Throws ConfigError "<where>: <path>: <what>".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  YAML::Node yaml_;
  std::string path_;
  std::shared_ptr<const Source> source_;
  YAML::Mark fallback_;
};

// Loads a YAML file and applies "--set a.b.c=value" overrides (the value is
// parsed as YAML, so numbers, booleans and lists keep their types).
Node load_file(const std::string& file, const std::vector<std::string>& overrides = {});
Node load_string(const std::string& text, const std::string& name = "<string>",
                 const std::vector<std::string>& overrides = {});

// A config built in memory (e.g. a variant of a loaded one): `name` is shown
// in messages, relative paths resolve against `base_dir`.
Node from_yaml(YAML::Node root, const std::string& name, const std::string& base_dir,
               const std::vector<std::string>& overrides = {});

// Levenshtein-nearest candidate, for "did you mean" hints ("" when none is close).
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace landda::config
