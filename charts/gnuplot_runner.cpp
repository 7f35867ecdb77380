#include "charts/gnuplot_runner.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lb::charts {
namespace {

namespace fs = std::filesystem;

bool is_executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// The first few lines of gnuplot's complaint: enough to name the problem on one screen.
std::string first_lines(const std::string& text, int max_lines) {
  std::istringstream in(text);
  std::string line, out;
  for (int n = 0; n < max_lines && std::getline(in, line);) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    out += (out.empty() ? "" : " | ") + line;
    ++n;
  }
  return out;
}

}  // namespace

std::string find_gnuplot(const std::string& configured) {
  if (!configured.empty()) return is_executable(configured) ? configured : std::string();
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "gnuplot";
    if (is_executable(candidate)) return candidate.string();
  }
  return {};
}

GnuplotResult run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& script) {
  int err_pipe[2];
  if (::pipe(err_pipe) != 0) return {false, std::string("cannot create a pipe: ") + std::strerror(errno)};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return {false, std::string("cannot start gnuplot: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    const int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
    }
    if (::chdir(dir.c_str()) != 0) {
      const char msg[] = "cannot enter the output directory\n";
      (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
      ::_exit(126);
    }
    char* const argv[] = {const_cast<char*>(gnuplot.c_str()), const_cast<char*>(script.c_str()), nullptr};
    ::execv(gnuplot.c_str(), argv);
    const char msg[] = "exec failed\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  std::string errors;
  char buf[4096];
  for (ssize_t n; (n = ::read(err_pipe[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    errors.append(buf, static_cast<std::size_t>(n));
  }
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
  // How it ended (a crash says so: gnuplot 5.4 dies of SIGSEGV on some plots) and what it said.
  std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                              std::string(::strsignal(WTERMSIG(status))) + ")"
                    : WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : std::string("ended abnormally");
  const std::string said = first_lines(errors, 3);
  return {false, said.empty() ? how : how + ": " + said};
}

std::string gnuplot_missing_message(const std::string& configured) {
  const std::string which = configured.empty() ? "gnuplot not found on PATH" : "gnuplot '" + configured + "' not found";
  return which + ": PNG/PDF charts not rendered (HTML charts written). Install it (Debian: "
         "apt-get install gnuplot-nox) and run `gnuplot <chart>.gp` in the output directory.";
}

}  // namespace lb::charts
