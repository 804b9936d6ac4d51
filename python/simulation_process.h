#pragma once
// SystemC allows one elaboration per process (sim/simulator.h), and a Python session
// simulates many networks on several SoCs: every simulation runs in a forked child
// that elaborates, simulates and sends its report back through a pipe.
#include <functional>
#include <string>

#include "hw/mapping.h"
#include "proto/report.pb.h"

namespace odimo::python {

// Runs `work` in a forked child and returns the bytes it returned. An odimo::Error in the
// child is thrown again here with its message; std::runtime_error when the child dies.
std::string run_in_child(const std::function<std::string()>& work);

// The report `odimo simulate --report` writes for the same inputs. Error: the
// simulator's one-line message; std::runtime_error when the child dies.
proto::Report simulate_in_child(const SocDescription& soc, const Network& net,
                                const ResolvedMapping& mapping);

}  // namespace odimo::python
