#include "config/node.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <sstream>

#include "core/error.hpp"

namespace landda::config {
namespace fs = std::filesystem;

Node::Node(YAML::Node yaml, std::string path, std::shared_ptr<const Source> source, YAML::Mark fallback)
    : yaml_(std::move(yaml)), path_(std::move(path)), source_(std::move(source)), fallback_(fallback) {}

Node Node::child(std::string_view key) const {
  const std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  YAML::Mark mark = yaml_.IsDefined() && !yaml_.Mark().is_null() ? yaml_.Mark() : fallback_;
  if (!yaml_.IsMap()) return Node(YAML::Node(YAML::NodeType::Undefined), path, source_, mark);
  const YAML::Node& constYaml = yaml_;
  YAML::Node c = constYaml[std::string(key)];
  // A missing key gives an invalid node in yaml-cpp; keep a valid, undefined one instead.
  if (!c.IsDefined()) return Node(YAML::Node(YAML::NodeType::Undefined), path, source_, mark);
  return Node(c, path, source_, mark);
}

Node Node::item(std::size_t index) const {
  const std::string path = path_ + "." + std::to_string(index);
  const YAML::Node& constYaml = yaml_;
  YAML::Node c = constYaml[index];
  if (!c.IsDefined()) return Node(YAML::Node(YAML::NodeType::Undefined), path, source_, yaml_.Mark());
  return Node(c, path, source_, yaml_.Mark());
}

std::string Node::where() const {
  if (source_) {
    // An override of this key or of one of its parents.
    for (std::string p = path_;;) {
      auto it = source_->overrides.find(p);
      if (it != source_->overrides.end()) return "--set " + it->second;
      const auto dot = p.rfind('.');
      if (dot == std::string::npos) break;
      p.erase(dot);
    }
  }
  const std::string file = source_ ? source_->file : "<config>";
  YAML::Mark m = yaml_.IsDefined() ? yaml_.Mark() : fallback_;
  if (m.is_null()) m = fallback_;
  if (m.is_null()) return file;
  return cat(file, ":", m.line + 1, ":", m.column + 1);
}

void Node::fail(std::string_view what) const {
  throw ConfigError(cat(where(), ": ", path_.empty() ? "<top level>" : path_, ": ", what));
}

namespace {

// A list index of a --set key path: a whole number from 0 to size - 1.
std::size_t list_index(const std::string& part, std::size_t size, const std::string& text) {
  long long idx = 0;
  std::size_t used = 0;
  try {
    idx = std::stoll(part, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != part.size() || part.empty()) throw ConfigError(cat("--set ", text, ": '", part, "' must be a list index"));
  if (idx < 0) throw ConfigError(cat("--set ", text, ": list index ", idx, " is negative (lists count from 0)"));
  if (static_cast<std::size_t>(idx) >= size)
    throw ConfigError(cat("--set ", text, ": list index ", idx, " out of range (the list has ", size, " item(s))"));
  return static_cast<std::size_t>(idx);
}

// Walks to a.b.c, creating maps as needed, and sets the last key.
void apply_override(YAML::Node& root, const std::string& text, Source& source) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(cat("--set ", text, ": expected key.path=value, e.g. --set filter.members=40"));
  const std::string path = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) throw ConfigError(cat("--set ", text, ": empty component in key path '", path, "'"));
    parts.push_back(part);
  }
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw ConfigError(cat("--set ", text, ": the value is not valid YAML: ", e.msg));
  }
  YAML::Node cur = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (cur.IsSequence()) {
      YAML::Node next = cur[list_index(part, cur.size(), text)];
      cur.reset(next);
      continue;
    }
    if (!cur[part] || cur[part].IsNull()) cur[part] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[part];
    if (!next.IsMap() && !next.IsSequence())
      throw ConfigError(cat("--set ", text, ": '", part, "' holds a value, not a section"));
    cur.reset(next);
  }
  if (cur.IsSequence()) {
    cur[list_index(parts.back(), cur.size(), text)] = parsed;
  } else {
    cur[parts.back()] = parsed;
  }
  source.overrides[path] = text;
}

// What YAML allows and a config must not hold, found in the parser's events
// (the loaded tree keeps one of two equal keys in silence): a key given twice
// in one mapping, and a second document.
class StructureCheck final : public YAML::EventHandler {
 public:
  explicit StructureCheck(std::string name) : name_(std::move(name)) {}
  void OnDocumentStart(const YAML::Mark& m) override {
    if (documents_++ > 0)
      fail(m, "a second YAML document (after '---'); a config is one document");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string& value) override { node(m, &value); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    frames_.push_back({false, true, {}});
  }
  void OnSequenceEnd() override { frames_.pop_back(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    frames_.push_back({true, true, {}});
  }
  void OnMapEnd() override { frames_.pop_back(); }

 private:
  struct Frame {
    bool map, expecting_key;
    std::map<std::string, int> keys;  // key -> line
  };
  // A node starts: in a mapping it is a key or a value, in turn.
  void node(const YAML::Mark& m, const std::string* scalar) {
    if (frames_.empty() || !frames_.back().map) return;
    Frame& f = frames_.back();
    if (f.expecting_key && scalar) {
      const auto [it, added] = f.keys.try_emplace(*scalar, m.line + 1);
      if (!added) fail(m, cat("key '", *scalar, "' appears twice in this mapping (first at line ", it->second, ")"));
    }
    f.expecting_key = !f.expecting_key;
  }
  [[noreturn]] void fail(const YAML::Mark& m, const std::string& what) const {
    throw ConfigError(cat(name_, ":", m.line + 1, ":", m.column + 1, ": ", what));
  }
  std::string name_;
  int documents_ = 0;
  std::vector<Frame> frames_;
};

// YAML text, checked for duplicate keys and documents, with parse errors located in `name`.
YAML::Node parse_yaml(const std::string& text, const std::string& name) {
  try {
    std::istringstream events(text);
    YAML::Parser parser(events);
    StructureCheck check(name);
    while (parser.HandleNextDocument(check)) {
    }
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(cat(name, ":", e.mark.line + 1, ":", e.mark.column + 1, ": malformed YAML: ", e.msg));
  }
}

Node finish_load(YAML::Node root, std::shared_ptr<Source> source, const std::vector<std::string>& overrides) {
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap())
    throw ConfigError(cat(source->file, ":1:1: the top level of a config must be a mapping of sections (key: value)"));
  for (const auto& o : overrides) apply_override(root, o, *source);
  return Node(root, "", source);
}

}  // namespace

Node load_file(const std::string& file, const std::vector<std::string>& overrides) {
  auto source = std::make_shared<Source>();
  source->file = file;
  std::error_code ec;
  if (!fs::exists(file, ec)) throw ConfigError(cat(file, ": no such config file"));
  if (fs::is_directory(file, ec)) throw ConfigError(cat(file, ": is a directory, expected a YAML config file"));
  source->base_dir = fs::absolute(fs::path(file)).parent_path().string();
  std::ifstream in(file);
  if (!in) throw ConfigError(cat(file, ": cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  return finish_load(parse_yaml(text.str(), file), source, overrides);
}

Node load_string(const std::string& text, const std::string& name, const std::vector<std::string>& overrides) {
  auto source = std::make_shared<Source>();
  source->file = name;
  source->base_dir = fs::current_path().string();
  return finish_load(parse_yaml(text, name), source, overrides);
}

Node from_yaml(YAML::Node root, const std::string& name, const std::string& base_dir,
               const std::vector<std::string>& overrides) {
  auto source = std::make_shared<Source>();
  source->file = name;
  source->base_dir = base_dir;
  return finish_load(root, source, overrides);
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] == c[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    if (prev[c.size()] < best_d) {
      best_d = prev[c.size()];
      best = c;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace landda::config
