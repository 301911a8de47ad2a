// tests/viewer/json_checker.h — a strict little JSON parser (RFC 8259), so
// viewer tests can check that output parses and has the promised keys.
#ifndef LOCKSCOPE_TESTS_VIEWER_JSON_CHECKER_H_
#define LOCKSCOPE_TESTS_VIEWER_JSON_CHECKER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lockscope::viewer::test_traces {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;  // decoded
  std::vector<Json> array;
  // Object members in order: keys[i] names values[i]. (Two vectors, since a
  // std::pair<std::string, Json> member would need Json to be complete.)
  std::vector<std::string> keys;
  std::vector<Json> values;

  // The member named `key`, or nullptr (also for non-objects).
  const Json* Get(std::string_view key) const;
  bool is_array() const { return type == Type::kArray; }
  bool is_object() const { return type == Type::kObject; }
  bool is_string() const { return type == Type::kString; }
  bool is_bool() const { return type == Type::kBool; }
};

// Parses exactly one JSON value (surrounding whitespace allowed). On error
// returns nullptr and sets *error to "<what> at byte N".
std::unique_ptr<Json> ParseJson(std::string_view text, std::string* error);

}  // namespace lockscope::viewer::test_traces

#endif  // LOCKSCOPE_TESTS_VIEWER_JSON_CHECKER_H_
