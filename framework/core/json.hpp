#pragma once
// A minimal JSON object writer for summary.json: flat keys, numbers, strings,
// booleans and nested objects, in insertion order.
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace landda {

class JsonObject {
 public:
  JsonObject& add(const std::string& key, double v) { return raw(key, number(v)); }
  JsonObject& add(const std::string& key, int v) { return raw(key, std::to_string(v)); }
  JsonObject& add(const std::string& key, long v) { return raw(key, std::to_string(v)); }
  JsonObject& add(const std::string& key, long long v) { return raw(key, std::to_string(v)); }
  JsonObject& add(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonObject& add(const std::string& key, const char* v) { return add(key, std::string(v)); }
  JsonObject& add(const std::string& key, const std::string& v) { return raw(key, quote(v)); }
  JsonObject& add(const std::string& key, const std::vector<double>& v) {
    std::string list = "[";
    for (std::size_t i = 0; i < v.size(); ++i) list += (i ? ", " : "") + number(v[i]);
    return raw(key, list + "]");
  }
  JsonObject& add(const std::string& key, const JsonObject& v) {
    items_.emplace_back(key, std::string());
    children_.emplace_back(items_.size() - 1, std::make_shared<JsonObject>(v));
    return *this;
  }

  std::string str(int indent = 0) const {
    if (items_.empty()) return "{}";
    std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
    std::string out = "{\n";
    for (std::size_t i = 0; i < items_.size(); ++i) {
      std::string value = items_[i].second;
      for (const auto& [at, child] : children_)
        if (at == i) value = child->str(indent + 2);  // nested objects indent with their depth
      out += pad + quote(items_[i].first) + ": " + value;
      out += i + 1 < items_.size() ? ",\n" : "\n";
    }
    return out + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  }

  static std::string number(double v) {
    if (!std::isfinite(v)) return "null";  // JSON has no NaN or infinity
    std::ostringstream os;
    os << std::setprecision(17) << v;
    return os.str();
  }

  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += c;
          }
      }
    }
    return out + "\"";
  }

 private:
  JsonObject& raw(const std::string& key, std::string v) {
    items_.emplace_back(key, std::move(v));
    return *this;
  }
  std::vector<std::pair<std::string, std::string>> items_;
  std::vector<std::pair<std::size_t, std::shared_ptr<JsonObject>>> children_;
};

}  // namespace landda
