#include "cli/command_line.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "proto/error.h"

namespace odimo::cli {
namespace {

// The selected chain: the command's parser, then each subcommand given.
std::vector<const CLI::App*> selected(const CLI::App& app) {
  std::vector<const CLI::App*> chain = {&app};
  while (!chain.back()->get_subcommands().empty()) chain.push_back(chain.back()->get_subcommands().front());
  return chain;
}

// "odimo sweep run": the name errors start with.
std::string full_name(const CLI::App& app) {
  std::string name;
  for (const CLI::App* a : selected(app)) name += (name.empty() ? "" : " ") + a->get_name();
  return name;
}

// "odimo inspect NET [OPTIONS]"
std::string usage(const CLI::App& app, const std::string& name) {
  std::string u = name;
  for (const CLI::Option* o : app.get_options())
    if (o->get_positional()) u += " " + (o->get_required() ? o->get_name() : "[" + o->get_name() + "]");
  if (!app.get_subcommands({}).empty()) u += " [SUBCOMMAND]";
  return u + " [OPTIONS]";
}

std::string subcommand_names(const CLI::App& app) {
  std::string s;
  for (const CLI::App* sub : app.get_subcommands({})) s += (s.empty() ? "" : ", ") + sub->get_name();
  return s;
}

// Throws Error for the first argument a parser of the chain did not take.
void check_leftovers(const CLI::App& app) {
  std::string name;
  for (const CLI::App* a : selected(app)) {
    name += (name.empty() ? "" : " ") + a->get_name();
    const auto left = a->remaining(false);
    if (left.empty()) continue;
    const std::string& x = left.front();
    if (x.size() > 1 && x[0] == '-')
      throw Error("unknown option " + x.substr(0, x.find('=')) + " (see " + name + " --help)");
    if (!a->get_subcommands({}).empty())
      throw Error("unknown subcommand '" + x + "' (" + name + " has " + subcommand_names(*a) + ")");
    throw Error("unexpected argument '" + x + "' (usage: " + usage(*a, name) + ")");
  }
}

// `type` is CLI11's type name, then ":" and each validator's description.
std::string type_phrase(const std::string& full_type) {
  const std::string type = full_type.substr(0, full_type.find(':'));
  if (type == "INT" || type == "UINT") return "an integer";
  if (type == "FLOAT" || type == "NUMBER") return "a number";
  return "a valid value";
}

// CLI11's parse errors in odimo's words: what is missing or wrong, never a type code.
std::string parse_message(const CLI::ParseError& e, const CLI::App& app) {
  const std::string what = e.what();
  const CLI::App& last = *selected(app).back();
  const std::string name = full_name(app);
  if (dynamic_cast<const CLI::RequiredError*>(&e)) {
    const std::string item = what.substr(0, what.rfind(" is required"));
    if (item.rfind("-", 0) == 0) return "missing required option " + item;
    return "missing argument " + item + " (usage: " + usage(last, name) + ")";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.size() > 8 &&
      what.compare(what.size() - 8, 8, " missing") == 0)
    return "option " + what.substr(0, what.find(':')) + " needs a value";
  if (dynamic_cast<const CLI::ConversionError*>(&e) && what.rfind("Could not convert: ", 0) == 0) {
    const std::string rest = what.substr(19);  // "--jobs = x"
    const auto eq = rest.find(" = ");
    if (eq != std::string::npos) {
      const std::string opt = rest.substr(0, eq), value = rest.substr(eq + 3);
      std::string type;
      for (const CLI::Option* o : last.get_options())
        if (o->check_name(opt)) type = o->get_type_name();
      return "option " + opt + ": '" + value + "' is not " + type_phrase(type);
    }
  }
  return what;
}

// Help text ends with its footer, without a newline.
void print_text(const std::string& text, std::ostream& out) {
  out << text << (!text.empty() && text.back() != '\n' ? "\n" : "");
}

std::string range_text(double lo, double hi) {
  std::ostringstream r;
  r << "[" << lo << ", " << hi << "]";
  return r.str();
}

// A programming error, not bad input: a FLOAT option declared without finite_range.
void require_ranges(const CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_type_name().rfind("FLOAT", 0) != 0) continue;
    try {
      const_cast<CLI::Option*>(o)->get_validator("FINITE_RANGE");
    } catch (const CLI::OptionNotFound&) {
      throw std::logic_error(app.get_name() + " " + o->get_name() +
                             " has no finite_range (cli/command_line.h)");
    }
  }
  for (const CLI::App* sub : app.get_subcommands({})) require_ranges(*sub);
}

// Every number option's text is a whole number of its kind in the range of its type:
// CLI11 alone reads '' as 0, saturates 99999999999999999999 and wraps -1 into an
// unsigned seed, each a silently different run. Integers are decimal.
CLI::Validator number_text(const std::string& type) {
  const bool is_float = type.rfind("FLOAT", 0) == 0, is_unsigned = type.rfind("UINT", 0) == 0;
  return CLI::Validator(
      [is_float, is_unsigned](std::string& text) -> std::string {
        if (text.empty())
          return "an empty value: expected " + std::string(is_float ? "a number" : "an integer");
        if (is_float || text.find_first_of("0123456789") == std::string::npos)
          return {};  // finite_range checks a float's value; a word fails its conversion
        const bool digits =
            text.find_first_not_of("0123456789", text[0] == '-' || text[0] == '+') == std::string::npos &&
            text.size() > size_t(text[0] == '-' || text[0] == '+');
        const std::string range = is_unsigned ? "[0, 4294967295]" : "[-2147483648, 2147483647]";
        if (!digits) return text + ": expected a decimal integer in " + range;
        errno = 0;
        const long long x = std::strtoll(text.c_str(), nullptr, 10);
        const bool fits = errno == 0 && (is_unsigned ? x >= 0 && x <= 4294967295LL
                                                     : x >= -2147483648LL && x <= 2147483647LL);
        if (!fits) return text + ": expected an integer in " + range;
        return {};
      },
      "", "NUMBER_TEXT");
}

void check_number_texts(CLI::App& app) {
  for (CLI::Option* o : app.get_options()) {
    const std::string type = o->get_type_name();
    if (type.rfind("INT", 0) == 0 || type.rfind("UINT", 0) == 0 || type.rfind("FLOAT", 0) == 0)
      o->check(number_text(type));
  }
  for (CLI::App* sub : app.get_subcommands({})) check_number_texts(*sub);
}

int report(const std::string& name, const std::string& message, int status) {
  std::cerr << one_line(name) << (status == 3 ? ": internal error: " : ": error: ") << one_line(message)
            << "\n";
  return status;
}

}  // namespace

std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 && c != '\t') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

CLI::Validator finite_range(double lo, double hi) {
  const std::string range = range_text(lo, hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        char* end = nullptr;
        const double x = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0') return {};  // not a number: the conversion says so
        if (!(x >= lo && x <= hi)) return text + ": expected a finite number in " + range;
        return {};
      },
      "in " + range, "FINITE_RANGE");
}

CLI::Option* add_noise_option(CLI::App& app, const std::string& name, ReadNoise& noise,
                              const std::string& help) {
  return app
      .add_option_function<std::string>(
          name, [&noise, name](const std::string& text) { noise = parse_read_noise(name, text); }, help)
      ->type_name("SIGMA|NLSB")
      ->default_str(noise.text());
}

CLI::Validator count_range(int lo, int hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        char* end = nullptr;
        const long long x = std::strtoll(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0') return {};
        if (x < lo || x > hi) return text + ": expected an integer in " + range;
        return {};
      },
      "in " + range, "COUNT_RANGE");
}

void configure(CLI::App& app) {
  app.allow_extras();
  app.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

int run_command(const Command& command, const std::vector<std::string>& args) {
  CLI::App app{command.help, std::string("odimo ") + command.name};
  configure(app);
  const Action action = command.define(app);
  try {
    require_ranges(app);
    check_number_texts(app);
  } catch (const std::logic_error& e) {
    return report(app.get_name(), e.what(), 3);
  }
  std::vector<const char*> argv = {app.get_name().c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(int(argv.size()), argv.data());
    check_leftovers(app);
  } catch (const CLI::CallForHelp&) {
    print_text(app.help(), std::cout);
    return 0;
  } catch (const CLI::ParseError& e) {
    try {  // an unknown option first: "--sco" is why --soc is missing
      if (!dynamic_cast<const CLI::ConversionError*>(&e) && !dynamic_cast<const CLI::ValidationError*>(&e))
        check_leftovers(app);
    } catch (const Error& unknown) {
      return report(full_name(app), unknown.what(), 2);
    }
    return report(full_name(app), parse_message(e, app), 2);
  } catch (const Error& e) {
    return report(full_name(app), e.what(), 2);
  }
  try {
    const int status = action();
    // What went to stdout (e.g. `sweep sbatch > FILE` on a full disk) must have arrived whole.
    errno = 0;
    if (!std::cout.flush())
      throw Error(std::string("standard output: cannot write: ") +
                  (errno ? std::strerror(errno) : "the stream failed"));
    return status;
  } catch (const Error& e) {
    return report(full_name(app), e.what(), 2);
  } catch (const std::exception& e) {
    return report(full_name(app), e.what(), 3);
  }
}

int print_help(const Command& command, const std::vector<std::string>& subcommands, std::ostream& out) {
  CLI::App app{command.help, std::string("odimo ") + command.name};
  configure(app);
  command.define(app);
  try {
    require_ranges(app);
  } catch (const std::logic_error& e) {
    return report(app.get_name(), e.what(), 3);
  }
  const CLI::App* at = &app;
  std::string prefix;
  for (const auto& s : subcommands) {
    const CLI::App* sub = nullptr;
    for (const CLI::App* c : at->get_subcommands({}))
      if (c->get_name() == s) sub = c;
    if (!sub) {
      const std::string name = prefix.empty() ? app.get_name() : prefix + " " + at->get_name();
      const std::string known = subcommand_names(*at);
      return report(
          "odimo help",
          "unknown subcommand '" + s + "' (" + name + (known.empty() ? " has none)" : " has " + known + ")"),
          2);
    }
    prefix = prefix.empty() ? app.get_name() : prefix + " " + at->get_name();
    at = sub;
  }
  print_text(at->help(prefix), out);
  return 0;
}

}  // namespace odimo::cli
