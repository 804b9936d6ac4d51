// doctest main for the SystemC tests. libsystemc.so defines main() and needs
// sc_main; this binary's own main (doctest's) wins, sc_main is a stub.
// Every TEST_CASE runs in its own process (doctest_discover_tests): SystemC
// allows one elaboration per process, so each test builds one Simulator.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

extern "C" int sc_main(int, char**) {
  return 0;
}
