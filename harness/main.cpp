// harness: times ViT training and records it. Flow: options -> the world (MPI, or Slurm's/torchrun's
// variables) -> (for each --repeat)
// trainer (validates all input) -> recorder (rank 0) -> run -> fold the journal -> exit code
// (util/exit_codes.h, docs/harness.md).
#include <chrono>
#include <iostream>
#include <thread>

#include "common/format.h"
#include "harness/cli/options.h"
#if defined(LB_WITH_HDF5)
#include "common/results_file.h"
#endif
#include "harness/dist/communicator.h"
#include "harness/record/provenance.h"
#include "harness/record/recorder.h"
#include "harness/train/stop_watchdog.h"
#include "harness/train/trainer.h"
#include "common/errors.h"
#include "harness/util/exit_codes.h"
#include "harness/util/signals.h"

namespace {

int report(const std::string& what, int code) {
  std::cerr << "harness: error: " << what << std::endl;
  return code;
}

// One run: every rank validates and sets up; all agree before any of them trains.
int run_once(const lb::Settings& settings, lb::Communicator& comm, lb::RepeatInfo repeat) {
  const bool root = comm.rank() == 0;
  std::unique_ptr<lb::Trainer> trainer;
  std::unique_ptr<lb::Recorder> recorder;
  int setup_code = lb::exit_code::ok;
  std::string setup_error;
  try {
    if (root) {
      lb::check_results_file(settings.output);
#if defined(LB_WITH_HDF5)
      // Runs of harnesses that were killed: folded into the file now that their writers are gone.
      for (const auto& note : lb::recover_orphaned_journals(settings.output)) std::cerr << "harness: " << note << "\n";
#endif
    }
    trainer = std::make_unique<lb::Trainer>(settings, comm, repeat);
    if (root) {
      recorder = std::make_unique<lb::Recorder>(settings.output, lb::make_run_id(settings.repeat > 1 ? repeat.index : -1),
                                                comm.world_size());
      recorder->set(trainer->describe());
      recorder->flush();  // the run exists (status `running`) before the first step
    }
  } catch (const lb::UsageError& e) {
    setup_code = lb::exit_code::usage, setup_error = e.what();
  } catch (const std::invalid_argument& e) {
    setup_code = lb::exit_code::usage, setup_error = e.what();
  } catch (const std::exception& e) {
    setup_code = lb::exit_code::failed, setup_error = e.what();
  }
  double failures[2] = {setup_code == lb::exit_code::usage ? 1.0 : 0.0, setup_code == lb::exit_code::failed ? 1.0 : 0.0};
  comm.allreduce_sum(failures, 2);
  if (failures[0] + failures[1] > 0) {
    if (!setup_error.empty())
      std::cerr << "harness: error: " << (comm.world_size() > 1 ? "rank " + std::to_string(comm.rank()) + ": " : "")
                << setup_error << std::endl;
    return failures[1] > 0 ? lb::exit_code::failed : lb::exit_code::usage;
  }

  // A stop request that cannot wait for the current step: rank 0 records the run as interrupted
  // with that step dropped; the other ranks give it a moment before they exit too.
  lb::Trainer* t = trainer.get();
  lb::Recorder* r = recorder.get();
  lb::StopWatchdog watchdog(settings.stop_grace_s, [t, r, root](int sig) {
    if (!root) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      return;
    }
    if (!r) return;
    lb::schema::RunAttributes a;
    a.status = "interrupted";
    a.stop_reason = lb::stop_signal_name(sig);
    a.dropped_step = t->current_step();
    a.error = std::string("stopped by ") + lb::stop_signal_name(sig) + "; step " + std::to_string(t->current_step()) +
              " (or the validation after it) was still running and was dropped";
    a.end_utc = lb::utc_now();
    a.wall_time_s = t->elapsed_s();
    r->set(a);
    try {
      r->finish();
      std::cerr << "harness: results in " << r->path() << " (run " << r->run_id() << ")" << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "harness: error: " << e.what() << std::endl;
    }
  });

  try {
    const auto outcome = trainer->run(recorder.get());
    watchdog.acknowledge();
    if (recorder) {
      try {
        recorder->finish();
      } catch (const std::exception& e) {
        throw lb::RecordError(e.what());
      }
    }
    if (root && !outcome.error.empty() && outcome.status != "completed")
      std::cerr << "harness: " << outcome.status << ": " << outcome.error << std::endl;
    if (root) std::cerr << "harness: results in " << settings.output << " (run " << recorder->run_id() << ")" << std::endl;
    return outcome.exit_code;
  } catch (const lb::RecordError& e) {
    watchdog.acknowledge();
    if (recorder) {
      // What reached the journal stays there; the status says why the rest is missing.
      lb::schema::RunAttributes a;
      a.status = "failed";
      a.error = std::string("results could not be written: ") + e.what();
      a.stop_reason = "error";
      recorder->set(a);
    }
    const std::string message = std::string("cannot write the results: ") + e.what() +
                                "; earlier runs in " + settings.output + " are untouched";
    if (comm.world_size() > 1 && root) {
      std::cerr << "harness: error: " << message << std::endl;
      comm.abort(lb::exit_code::record_failed);
    }
    return report(message, lb::exit_code::record_failed);
  } catch (const std::exception& e) {
    watchdog.acknowledge();
    std::string message = e.what();
    if (comm.world_size() > 1 && !dynamic_cast<const lb::RemoteFailure*>(&e)) {
      message = "rank " + std::to_string(comm.rank()) + ": " + message;
      if (root) {
        if (const auto cause = lb::remote_cause(comm)) message = *cause + "; then " + message;
      }
    }
    if (recorder) {
      try {
        lb::schema::RunAttributes a;
        a.status = "failed";
        a.error = message;
        a.stop_reason = "error";
        a.end_utc = lb::utc_now();
        a.wall_time_s = trainer->elapsed_s();
        recorder->set(a);
        recorder->finish();
      } catch (const std::exception& record_error) {
        message += "; and recording the failure failed too: " + std::string(record_error.what());
      }
    }
    if (comm.world_size() > 1) {
      if (root) {
        std::cerr << "harness: error: " << message << " (recorded; aborting the job)" << std::endl;
        comm.abort(lb::exit_code::failed);
      }
      comm.fail(message, lb::exit_code::failed);
    }
    return report(message, lb::exit_code::failed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  lb::Settings settings;
  try {
    if (!lb::parse_settings(argc, argv, settings)) return lb::exit_code::ok;
  } catch (const lb::UsageError& e) {
    return report(e.what(), lb::exit_code::usage);
  }
  lb::install_stop_handlers();
  std::unique_ptr<lb::Communicator> comm;
  try {
    lb::LaunchOptions launch;
    launch.launcher = settings.launcher;
    launch.timeout = std::chrono::milliseconds(std::int64_t(settings.comm_timeout_s * 1000));
    comm = lb::make_communicator(launch, &argc, &argv);
  } catch (const lb::UsageError& e) {
    return report(e.what(), lb::exit_code::usage);
  } catch (const std::exception& e) {
    return report(e.what(), lb::exit_code::failed);
  }
  // Before anything is written: a world that is not the job's (an MPI that cannot talk to Slurm's
  // launcher gives every task a world of one, all writing one results file).
  if (const auto mismatch = lb::world_size_mismatch(comm->world_size(), lb::process_env()))
    return report(*mismatch, lb::exit_code::usage);
  const std::string group = settings.repeat > 1 ? lb::make_run_id() : "";
  int code = lb::exit_code::ok;
  for (int k = 0; k < settings.repeat; ++k) {
    code = run_once(settings, *comm, {k, group});
    if (code != lb::exit_code::ok || lb::stop_signal() != 0) break;
  }
  return code;
}
