#include "cli/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace odimo::cli {

Table::Table(std::vector<std::string> header, std::vector<bool> numeric)
    : m_header(std::move(header)), m_numeric(std::move(numeric)) {
  m_numeric.resize(m_header.size(), false);
}

void Table::add(std::vector<std::string> row) {
  row.resize(m_header.size());
  m_rows.push_back(std::move(row));
}

void Table::separator() {
  m_rows.emplace_back();
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> width(m_header.size());
  for (size_t c = 0; c < m_header.size(); ++c) width[c] = m_header[c].size();
  for (const auto& r : m_rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t c = 0; c < r.size(); ++c) {
      const std::string pad(width[c] - r[c].size(), ' ');
      s += m_numeric[c] ? pad + r[c] : r[c] + pad;
      if (c + 1 < r.size()) s += "  ";
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  line(m_header);
  out << std::string(total - 2, '-') << '\n';
  for (const auto& r : m_rows) {
    if (r.empty())
      out << std::string(total - 2, '-') << '\n';
    else
      line(r);
  }
}

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string si(double v) {
  const char* units[] = {"", " k", " M", " G", " T"};
  int u = 0;
  double a = std::fabs(v);
  while (a >= 1000.0 && u < 4) {
    a /= 1000.0;
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, a >= 100 ? "%.0f%s" : a >= 10 ? "%.1f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace odimo::cli
