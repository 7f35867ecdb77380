// harness: times ViT training and records it. Flow: options -> MPI world -> trainer (validates
// all input) -> recorder (rank 0) -> run -> exit code (util/exit_codes.h, docs/harness.md).
#include <iostream>

#include "cli/settings.h"
#include "dist/communicator.h"
#include "record/recorder.h"
#include "train/trainer.h"
#include "util/errors.h"
#include "util/exit_codes.h"
#include "util/signals.h"

int main(int argc, char** argv) {
  lb::Settings settings;
  try {
    if (!lb::parse_settings(argc, argv, settings)) return lb::exit_code::ok;
  } catch (const lb::UsageError& e) {
    std::cerr << "harness: error: " << e.what() << std::endl;
    return lb::exit_code::usage;
  }
  lb::install_stop_handlers();
  lb::Communicator comm(&argc, &argv);
  const bool root = comm.rank() == 0;

  std::unique_ptr<lb::Trainer> trainer;
  std::unique_ptr<lb::Recorder> recorder;
  // Setup: every rank validates; all ranks agree before any of them starts training.
  int setup_code = lb::exit_code::ok;
  std::string setup_error;
  try {
    if (root) lb::check_results_file(settings.output);
    trainer = std::make_unique<lb::Trainer>(settings, comm);
    if (root) {
      recorder = std::make_unique<lb::Recorder>(settings.output, lb::make_run_id(), comm.world_size());
      trainer->describe(*recorder);
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
    if (!setup_error.empty()) {
      std::cerr << "harness: error: " << (comm.world_size() > 1 ? "rank " + std::to_string(comm.rank()) + ": " : "")
                << setup_error << std::endl;
    }
    return failures[1] > 0 ? lb::exit_code::failed : lb::exit_code::usage;
  }
  if (recorder) {
    try {
      recorder->flush();  // the run exists in the file (status `running`) before the first step
    } catch (const std::exception& e) {
      if (comm.world_size() > 1) comm.fail(e.what(), lb::exit_code::failed);
      std::cerr << "harness: error: " << e.what() << std::endl;
      return lb::exit_code::failed;
    }
  }

  try {
    const auto outcome = trainer->run(recorder.get());
    if (root && !outcome.error.empty() && outcome.status != "completed")
      std::cerr << "harness: " << outcome.status << ": " << outcome.error << std::endl;
    if (root) std::cerr << "harness: results in " << settings.output << " (run " << recorder->run_id() << ")" << std::endl;
    return outcome.exit_code;
  } catch (const std::exception& e) {
    std::string message = e.what();
    if (comm.world_size() > 1 && !dynamic_cast<const lb::RemoteFailure*>(&e))
      message = "rank " + std::to_string(comm.rank()) + ": " + message;
    if (recorder) {
      try {
        recorder->set("status", "failed");
        recorder->set("error", message);
        recorder->flush();
      } catch (const std::exception& flush_error) {
        message += "; and recording the failure failed too: " + std::string(flush_error.what());
      }
    }
    if (comm.world_size() > 1) {
      if (root) {
        std::cerr << "harness: error: " << message << " (recorded; aborting the job)" << std::endl;
        comm.abort(lb::exit_code::failed);
      }
      comm.fail(message, lb::exit_code::failed);
    }
    std::cerr << "harness: error: " << message << std::endl;
    return lb::exit_code::failed;
  }
}
