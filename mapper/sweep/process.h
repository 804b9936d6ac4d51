#pragma once
// Child processes of odimo itself: a sweep point runs in its own process (SystemC
// elaborates once per process), its output in a log file.
#include <sys/types.h>

#include <string>
#include <vector>

namespace odimo::sweep {

// Starts this odimo binary with `args` (argv[1..]); stdout and stderr go to `log`
// (created or truncated). Throws Error when the process cannot start.
pid_t spawn_self(const std::vector<std::string>& args, const std::string& log);

// Waits for the child `pid` (blocking, or not when `block` is false).
// Returns -1 while it runs, else 0 on exit status 0 and 1 on any failure.
int wait_child(pid_t pid, bool block);

}  // namespace odimo::sweep
