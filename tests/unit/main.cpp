// doctest main for the unit tests. Binaries that link SystemC add an sc_main
// stub next to their own main.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
