#include "python/simulation_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "proto/error.h"
#include "sim/network_run.h"
#include "sim/simulator.h"

namespace odimo::python {
namespace {

// The child's answer: one tag byte ('R' result, 'E' odimo::Error, 'X' other
// failure) and the result's bytes or the message.
std::string child_answer(const std::function<std::string()>& work) {
  try {
    return "R" + work();
  } catch (const Error& e) {
    return std::string("E") + e.what();
  } catch (const std::exception& e) {
    return std::string("X") + e.what();
  }
}

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += size_t(n);
  }
}

std::string read_all(int fd) {
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return bytes;
    bytes.append(buffer, size_t(n));
  }
}

std::string wait_status_text(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::string run_in_child(const std::function<std::string()>& work) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("cannot fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    write_all(fds[1], child_answer(work));
    close(fds[1]);
    _exit(0);  // no atexit handlers, no Python finalisation in the child
  }
  close(fds[1]);
  const std::string answer = read_all(fds[0]);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (answer.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("the simulation process ended without a result (" + wait_status_text(status) +
                             ")");
  if (answer[0] == 'E') throw Error(answer.substr(1));
  if (answer[0] != 'R') throw std::runtime_error("simulation: " + answer.substr(1));
  return answer.substr(1);
}

proto::Report simulate_in_child(const SocDescription& soc, const Network& net,
                                const ResolvedMapping& mapping) {
  const std::string bytes = run_in_child([&] {
    sim::Simulator simulator(soc);
    return sim::simulate_network(simulator, net, mapping, ODIMO_VERSION).SerializeAsString();
  });
  proto::Report report;
  if (!report.ParseFromString(bytes)) throw std::runtime_error("simulate: unreadable report from the child");
  return report;
}

}  // namespace odimo::python
