#pragma once
// Plain-text tables and number formatting for odimo's terminal output.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace odimo::cli {

// Columns are left-aligned unless marked numeric (right-aligned).
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> numeric = {});
  void add(std::vector<std::string> row);
  void separator();  // a rule before the next row (e.g. before totals)
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> m_header;
  std::vector<bool> m_numeric;
  std::vector<std::vector<std::string>> m_rows;  // an empty row is a separator
};

// 41123456 -> "41,123,456"
std::string grouped(int64_t v);
// 41123456 -> "41.1 M", 1820000000 -> "1.82 G"
std::string si(double v);
std::string fixed(double v, int decimals);

}  // namespace odimo::cli
