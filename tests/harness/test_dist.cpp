// The launchers' pure parts (rank variables of Slurm and torchrun, host lists, the world-size
// cross-check, which launcher `auto` means), the transport report's parser, the rank exchange of a
// window on a world of one, the step timer's tiling of the timeline, the adaptive stop's rule and
// rank 0's watch on the other ranks' processes (over loopback, in one process) and its look for
// another rank's failure when its own collective failed; the step profile's sums (what a GPU's
// profiler reports, fed by hand).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <csignal>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/errors.h"
#include "harness/dist/communicator.h"
#include "harness/dist/launch.h"
#include "harness/dist/peer_watch.h"
#include "harness/dist/transport.h"
#include "harness/train/adaptive_stop.h"
#include "harness/train/rank_exchange.h"
#include "harness/train/step_graph.h"
#include "harness/train/step_profile.h"
#include "harness/train/step_timer.h"
#include "harness/util/progress.h"

namespace lb {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Launch, FirstHostOfSlurmHostLists) {
  EXPECT_EQ(first_host("nid[005000-005003,005010]"), "nid005000");
  EXPECT_EQ(first_host("lbn[1-8]"), "lbn1");
  EXPECT_EQ(first_host("a,b"), "a");
  EXPECT_EQ(first_host("x1-[2-3],y[4]"), "x1-2");
  EXPECT_EQ(first_host("nid007001"), "nid007001");
  EXPECT_THROW(first_host("nid[1-2"), std::invalid_argument);
  EXPECT_THROW(first_host(""), std::invalid_argument);
}

TEST(Launch, SlurmStepVariables) {
  const auto w = read_env_world(env_of({{"SLURM_PROCID", "9"}, {"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "16"},
                                        {"SLURM_LOCALID", "1"}, {"SLURM_STEP_NUM_NODES", "2"},
                                        {"SLURM_STEP_NODELIST", "nid[005000-005001]"}, {"SLURM_JOB_ID", "7654321"}}));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->source, "slurm");
  EXPECT_EQ(w->rank, 9);
  EXPECT_EQ(w->world_size, 16);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->nodes, 2);
  EXPECT_EQ(w->master_addr, "nid005000");
  EXPECT_EQ(w->master_port, 14321) << "the guide's rule: 1 and the job id's last four digits";
}

TEST(Launch, TorchrunVariablesWinOverSlurms) {
  const auto w = read_env_world(env_of({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "3"},
                                        {"LOCAL_WORLD_SIZE", "4"}, {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29500"},
                                        {"SLURM_PROCID", "0"}, {"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"}}));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->source, "torchrun");
  EXPECT_EQ(w->rank, 3);
  EXPECT_EQ(w->world_size, 8);
  EXPECT_EQ(w->nodes, 2);
  EXPECT_EQ(w->master_addr, "10.0.0.1");
  EXPECT_EQ(w->master_port, 29500);
}

TEST(Launch, BadVariablesAreNamed) {
  try {
    read_env_world(env_of({{"RANK", "4"}, {"WORLD_SIZE", "4"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}));
    FAIL() << "a rank outside the world was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("RANK=4"), std::string::npos) << e.what();
  }
  try {
    read_env_world(env_of({{"SLURM_PROCID", "x"}, {"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"}}));
    FAIL() << "a malformed SLURM_PROCID was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("SLURM_PROCID='x'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_env_world(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}})), UsageError) << "no MASTER_ADDR";
  EXPECT_FALSE(read_env_world(env_of({{"SLURM_PROCID", "0"}})))
      << "a batch script (no step) is not a launcher";
}

TEST(Launch, AutoMeansWhatTheEnvironmentSays) {
  const auto srun = env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"}});
  EXPECT_EQ(resolve_launcher(Launcher::automatic, true, srun), Launcher::mpi);
  EXPECT_EQ(resolve_launcher(Launcher::automatic, false, srun), Launcher::env);
  EXPECT_EQ(resolve_launcher(Launcher::automatic, true, env_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}})), Launcher::env);
  EXPECT_EQ(resolve_launcher(Launcher::automatic, true, env_of({})), Launcher::none);
  EXPECT_EQ(resolve_launcher(Launcher::env, true, srun), Launcher::env);
  EXPECT_EQ(parse_launcher("env"), Launcher::env);
  EXPECT_THROW(parse_launcher("slurm"), UsageError);
}

TEST(Launch, WorldSizeIsCrossCheckedAgainstTheSlurmStep) {
  const auto step = env_of({{"SLURM_PROCID", "3"}, {"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "64"},
                            {"SLURM_NTASKS", "64"}});
  const auto mismatch = world_size_mismatch(1, step);
  ASSERT_TRUE(mismatch);
  EXPECT_NE(mismatch->find("a world of 1 rank but the Slurm step has 64 tasks (SLURM_STEP_NUM_TASKS)"),
            std::string::npos)
      << *mismatch;
  EXPECT_FALSE(world_size_mismatch(64, step));
  EXPECT_FALSE(world_size_mismatch(1, env_of({{"SLURM_NTASKS", "64"}}))) << "no step: the batch script itself";
  EXPECT_FALSE(world_size_mismatch(16, env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"},
                                              {"RANK", "0"}, {"WORLD_SIZE", "16"}})))
      << "torchrun starts several ranks per Slurm task";
}

TEST(Transport, TheLibrarysOwnReportIsRead) {
  const std::string plugin =
      "nid005000:1:1 [0] NCCL INFO NET/OFI Initializing aws-ofi-rccl 1.4.0\n"
      "nid005000:1:1 [0] NCCL INFO NET/OFI Selected Provider is cxi (found 4 nics)\n"
      "nid005000:1:1 [0] NCCL INFO Using network AWS Libfabric\n"
      "nid005000:1:9 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/IPC comm 0x1 nRanks 16\n"
      "nid005000:1:9 [0] NCCL INFO Channel 01/0 : 7[7] -> 8[0] [send] via NET/AWS Libfabric/0/GDRDMA\n";
  auto t = parse_nccl_report(plugin);
  EXPECT_EQ(t.inter_node, "plugin: AWS Libfabric");
  EXPECT_EQ(t.intra_node, "P2P/IPC");
  EXPECT_FALSE(slow_inter_node(t));
  const std::string sockets =
      "h:1:1 [0] NCCL INFO NET/Socket : Using [0]hsn0:10.1.1.1<0>\n"
      "h:1:1 [0] NCCL INFO Using network Socket\n"
      "h:1:9 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via SHM/direct/direct\n";
  t = parse_nccl_report(sockets);
  EXPECT_EQ(t.inter_node, "socket");
  EXPECT_EQ(t.intra_node, "SHM");
  EXPECT_TRUE(slow_inter_node(t));
  EXPECT_TRUE(slow_inter_node(parse_nccl_report("nothing of use\n"))) << "a silent report is not taken as fast";
  const auto merged = merge_transports({parse_nccl_report(plugin), parse_nccl_report(sockets)});
  EXPECT_EQ(merged.inter_node, "plugin: AWS Libfabric, socket");
  EXPECT_EQ(merged.intra_node, "P2P/IPC, SHM");
  EXPECT_TRUE(slow_inter_node(merged)) << "one rank over sockets slows them all";
  EXPECT_EQ(decode(encode(merged)).intra_node, merged.intra_node);
}

TEST(RankExchange, AWorldOfOneAgreesWithItself) {
  auto comm = detail::make_local_communicator(Launcher::none);
  std::vector<LocalStep> steps(3);
  for (int i = 0; i < 3; ++i) {
    steps[size_t(i)].loss_sum = 10.0 * (i + 1);
    steps[size_t(i)].correct = i;
    steps[size_t(i)].samples = 8;
    steps[size_t(i)].times.total_s = 0.5 + i;
  }
  LocalRequests requests;
  requests.signal = SIGUSR1;
  const auto w = exchange_window(*comm, steps, requests);
  ASSERT_EQ(w.steps.size(), 3u);
  EXPECT_EQ(w.signal, SIGUSR1);
  EXPECT_FALSE(w.record_failed);
  EXPECT_DOUBLE_EQ(w.steps[2].loss_sum, 30.0);
  EXPECT_DOUBLE_EQ(w.steps[1].samples, 8.0);
  ASSERT_EQ(w.steps[2].rank_total_s.size(), 1u);
  EXPECT_DOUBLE_EQ(w.steps[2].rank_total_s[0], 2.5);
}

// The CPU twin keeps the device graph's contract (train/step_graph.h): capture records without the
// work taking effect, each replay has it take effect once.
TEST(StepGraph, TheCpuTwinRunsTheWorkAtEachReplayNotAtCapture) {
  ASSERT_TRUE(step_graphs_available(torch::kCPU));
  auto forward = make_step_graph(torch::kCPU), backward = make_step_graph(torch::kCPU);
  EXPECT_THROW(forward->replay(), std::logic_error);
  std::vector<std::string> ran;
  forward->capture([&] { ran.push_back("forward"); }, nullptr);
  backward->capture([&] { ran.push_back("backward"); }, forward.get());
  EXPECT_TRUE(ran.empty());
  for (int i = 0; i < 2; ++i) forward->replay(), backward->replay();
  EXPECT_EQ(ran, (std::vector<std::string>{"forward", "backward", "forward", "backward"}));
  EXPECT_THROW(forward->capture([] {}, nullptr), std::logic_error);
}

namespace {

ProfiledEvent host_call(const std::string& name, std::int64_t start, std::int64_t duration, std::int64_t thread = 1) {
  ProfiledEvent e;
  e.name = name;
  e.start_ns = start;
  e.duration_ns = duration;
  e.thread = thread;
  return e;
}

ProfiledEvent device_event(const std::string& name, std::int64_t duration, bool work = true) {
  auto e = host_call(name, 0, duration, 0);
  e.on_device = true;
  e.device_work = work;
  return e;
}

std::map<std::string, ProfiledCall> by_name(const std::vector<ProfiledCall>& calls) {
  std::map<std::string, ProfiledCall> m;
  for (const auto& c : calls) m[c.name] = c;
  return m;
}

}  // namespace

// A GPU's kernels, copies and memsets are summed by name; an annotation spanning kernels (a user
// scope, device-side synchronisation) is not their work a second time.
TEST(StepProfile, DeviceWorkIsSummedByNameAndAnnotationsAreLeftOut) {
  StepProfile p;
  summarise({device_event("gemm", 3000), device_event("gemm", 5000), device_event("Memcpy HtoD", 1000),
             device_event("nccl:all_reduce", 9000, /*work=*/false)},
            p);
  ASSERT_EQ(p.device_kernels.size(), 2u);
  EXPECT_EQ(p.device_kernels[0].name, "gemm");  // the largest first
  EXPECT_EQ(p.device_kernels[0].count, 2);
  EXPECT_DOUBLE_EQ(p.device_kernels[0].total_s, 8e-6);
  EXPECT_DOUBLE_EQ(p.device_kernels[0].self_s, 8e-6);
  EXPECT_EQ(p.device_kernels[1].name, "Memcpy HtoD");
  EXPECT_TRUE(p.host_ops.empty());
}

// Own time: a call's duration less what the calls inside it on its thread took; other threads'
// calls (autograd's workers) and asynchronous spans nest in nothing.
TEST(StepProfile, OwnTimeLeavesOutTheCallsInsideOnTheSameThread) {
  StepProfile p;
  summarise({host_call("linear", 0, 100), host_call("addmm", 10, 20), host_call("t", 40, 20),
             host_call("backward_op", 50, 30, /*thread=*/2), host_call("linear", 200, 50),
             host_call("addmm", 210, 30), [] {
               auto e = host_call("async span", 0, 1000);
               e.async = true;
               return e;
             }()},
            p);
  auto ops = by_name(p.host_ops);
  ASSERT_EQ(ops.size(), 4u);  // the asynchronous span is no call
  EXPECT_EQ(ops["linear"].count, 2);
  EXPECT_DOUBLE_EQ(ops["linear"].total_s, 150e-9);
  EXPECT_DOUBLE_EQ(ops["linear"].self_s, (100 - 20 - 20 + 50 - 30) * 1e-9);
  EXPECT_DOUBLE_EQ(ops["addmm"].self_s, 50e-9);
  EXPECT_DOUBLE_EQ(ops["backward_op"].self_s, 30e-9);  // thread 2: inside no call of thread 1's
  EXPECT_EQ(p.host_ops[0].name, "linear");             // by own time, largest first
}

// The clock can have a child end just past its parent (start and duration rounded apart before
// LibTorch 2.2): it stays the child, only its overlap comes off the parent, and the parent's parent
// loses the parent's whole span, not the child's on top.
TEST(StepProfile, AChildEndingPastItsParentStaysItsChild) {
  StepProfile p;
  summarise({host_call("step", 0, 200), host_call("layer", 0, 100), host_call("kernel launch", 50, 51),
             host_call("next", 120, 10)},
            p);
  auto ops = by_name(p.host_ops);
  EXPECT_DOUBLE_EQ(ops["layer"].self_s, 50e-9);
  EXPECT_DOUBLE_EQ(ops["kernel launch"].self_s, 51e-9);
  EXPECT_DOUBLE_EQ(ops["step"].self_s, (200 - 100 - 10) * 1e-9);
  EXPECT_DOUBLE_EQ(ops["next"].self_s, 10e-9);
  // Two calls alike in start and duration (a call and its one callee, to the microsecond): the one
  // listed first is the parent, with no own time.
  StepProfile q;
  summarise({host_call("outer", 0, 7), host_call("inner", 0, 7)}, q);
  ops = by_name(q.host_ops);
  EXPECT_DOUBLE_EQ(ops["outer"].self_s, 0);
  EXPECT_DOUBLE_EQ(ops["inner"].self_s, 7e-9);
}

TEST(StepTimer, StepsTileTheTimelineAndPhasesAddUp) {
  StepTimer timer(torch::kCPU);
  for (int step = 0; step < 3; ++step) {
    timer.begin();
    for (Phase p : {Phase::data, Phase::forward, Phase::backward, Phase::comm, Phase::optimizer}) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      timer.mark(p);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the host between steps
  }
  EXPECT_EQ(timer.pending(), 3);
  const auto t = timer.collect();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(timer.pending(), 0);
  for (const auto& s : t) {
    EXPECT_NEAR(s.total_s, s.data_wait_s + s.forward_s + s.backward_s + s.comm_exposed_s + s.optimizer_s, 1e-12);
    EXPECT_GE(s.forward_s, 0.0015);
  }
  // The host's time between steps belongs to the next step's data wait; the first step has none.
  EXPECT_GE(t[1].data_wait_s, t[0].data_wait_s + 0.003);
  timer.restart();
  timer.begin();
  EXPECT_THROW(timer.mark(Phase::forward), std::logic_error) << "phases out of order";
}

TEST(Progress, TheEtaIsForWhatTheRunWillDo) {
  EXPECT_DOUBLE_EQ(eta_s(10.0, 5, 20), 30.0) << "15 steps left at 2 s each";
  EXPECT_DOUBLE_EQ(eta_s(10.0, 5, 5), 0.0) << "--max-steps reached: nothing left, whatever the epochs say";
  EXPECT_TRUE(std::isnan(eta_s(0.0, 0, 20))) << "no pace before the first step";
}

TEST(AdaptiveStop, DecidesWithTheIntervalAnalyzeReports) {
  // Twenty steady steps, 1.00 s give or take, with a slow tail on one side: the order statistics
  // x_(6) and x_(15) of common/statistics.h bound the median, and the larger side decides.
  std::vector<double> t = {1.00, 0.99, 1.01, 1.00, 0.98, 1.02, 1.00, 1.01, 0.99, 1.00,
                           1.00, 1.01, 0.99, 1.00, 1.03, 1.06, 1.08, 1.10, 0.97, 1.00};
  const MedianInterval m = median_interval95(t);
  ASSERT_TRUE(m.available);
  ASSERT_EQ(m.rank_lo, 6u);
  EXPECT_DOUBLE_EQ(m.median, 1.00);
  EXPECT_DOUBLE_EQ(m.lo, 1.00);  // sorted: 0.97 0.98 0.99 0.99 0.99 [1.00] ... [1.01] 1.02 ...
  EXPECT_DOUBLE_EQ(m.hi, 1.01);
  // The upper side, 0.01, decides; half the width (0.005) would have passed 0.0099 too.
  EXPECT_TRUE(adaptive_target_reached(t, 0.0101));
  EXPECT_FALSE(adaptive_target_reached(t, 0.0099));
  EXPECT_FALSE(adaptive_target_reached(t, 0.0101, 21));  // fewer steps than the minimum
  EXPECT_FALSE(adaptive_target_reached({1, 1, 1, 1, 1}, 1.0, 0));  // no interval below 6 values
}

TEST(WaitPolling, PollsWhileWaitingAndStopsOnAFailure) {
  int polls = 0, tries = 0;
  wait_polling([&] { return ++tries > 100; }, [&] { ++polls; });
  EXPECT_GE(polls, 6);
  EXPECT_THROW(wait_polling([] { return false; }, [] { throw RemoteFailure(1, "rank 1: gone"); }), RemoteFailure);
}

// lost() never blocks and a close reaches it through the kernel: look until `n` ranks are lost (or
// 10 s have passed); their ranks.
std::vector<int> lost_within_10_s(PeerWatch& w, size_t n = 1) {
  const auto t0 = std::chrono::steady_clock::now();
  while (w.lost().size() < n && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<int> ranks;
  for (const auto& l : w.lost()) ranks.push_back(l.rank);
  return ranks;
}

TEST(PeerWatch, AClosedConnectionWithoutAGoodbyeIsALostRank) {
  PeerWatch w;
  auto r1 = std::make_unique<PeerLink>("127.0.0.1", w.port(), 1, std::chrono::seconds(5));
  auto r2 = std::make_unique<PeerLink>("localhost", w.port(), 2, std::chrono::seconds(5));
  auto r3 = std::make_unique<PeerLink>("127.0.0.1", w.port(), 3, std::chrono::seconds(5));
  w.accept(3, std::chrono::seconds(5));
  EXPECT_TRUE(w.lost().empty());
  r1->goodbye();  // a clean end
  r1.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(w.lost().empty()) << "rank 1 said goodbye";
  r3.reset();  // as the kernel closes a killed process's sockets
  EXPECT_EQ(lost_within_10_s(w), std::vector<int>{3});
  EXPECT_EQ(w.lost().front().how, "its connection to rank 0 closed");
  r2.reset();
  EXPECT_EQ(lost_within_10_s(w, 2), (std::vector<int>{3, 2})) << "in the order found; a lost rank stays lost";
}

TEST(PeerWatch, TheFirstCauseIsALostRankWithoutAReportOfItsOwn) {
  const std::vector<LostRank> lost2{{2, "its connection to rank 0 closed"}};
  // Nothing happened.
  EXPECT_FALSE(first_cause({}, {}).has_value());
  // A rank that reported its error is named by its report.
  auto c = first_cause({{1, "rank 1: out of data"}}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rank, 1);
  EXPECT_EQ(c->message, "rank 1: out of data");
  // ... even when it has ended since.
  c = first_cause({{2, "rank 2: bad batch"}}, lost2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->message, "rank 2: bad batch");
  // A rank lost without a report is the cause of what its peers report (their connections to it closed).
  c = first_cause({{1, "rank 1: Connection closed by peer"}, {3, "rank 3: Connection reset"}}, lost2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rank, 2);
  EXPECT_EQ(c->message,
            "rank 2's process ended without reporting an error (its connection to rank 0 closed: killed by a signal, out "
            "of memory, a crash or its node's failure); then rank 1 reported: rank 1: Connection closed by peer");
  // Every rank with a report is excluded, not only the first report's (rank 1 reported second and
  // both ended since: nobody died without a word).
  c = first_cause({{2, "rank 2: bad batch"}, {1, "rank 1: Connection closed by peer"}},
                  {{1, "its connection to rank 0 closed"}, {2, "its connection to rank 0 closed"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rank, 2);
  EXPECT_EQ(c->message, "rank 2: bad batch");
  // Lost alone.
  c = first_cause({}, {{3, "its connection to rank 0 broke (Connection timed out)"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rank, 3);
  EXPECT_NE(c->message.find("rank 3's process ended without reporting an error (its connection to rank 0 broke"),
            std::string::npos);
}

// A communicator whose check_failure_reports() runs `on_check` (the other calls are not used).
class CheckingCommunicator : public Communicator {
 public:
  explicit CheckingCommunicator(std::function<void(int)> on_check) : on_check_(std::move(on_check)) {}
  Launcher launcher() const override { return Launcher::env; }
  void allreduce_sum(double*, int) override {}
  void allreduce_max(double*, int) override {}
  std::vector<double> gather(const std::vector<double>& v) override { return v; }
  std::vector<std::string> gather_text(const std::string& t) override { return {t}; }
  void broadcast(void*, long, int) override {}
  c10::intrusive_ptr<c10d::Store> make_store(const std::string&, std::chrono::milliseconds) override {
    throw std::logic_error("not used");
  }
  [[noreturn]] void fail(const std::string&, int code) override { std::exit(code); }
  [[noreturn]] void abort(int code) override { std::exit(code); }
  void check_failure_reports() override { on_check_(++checks); }
  int checks = 0;

 private:
  std::function<void(int)> on_check_;
};

TEST(RemoteCause, AReportFoundWhileLookingIsTheCause) {
  // The dead rank is found at the third look (its close reached rank 0 after its collective's error).
  CheckingCommunicator found([](int n) {
    if (n == 3) throw RemoteFailure(2, "rank 2's process ended without reporting an error");
  });
  EXPECT_EQ(remote_cause(found), "rank 2's process ended without reporting an error");
  EXPECT_EQ(found.checks, 3);
  // Nothing within the looks: rank 0's own error stands alone.
  CheckingCommunicator quiet([](int) {});
  EXPECT_EQ(remote_cause(quiet, 4), std::nullopt);
  EXPECT_EQ(quiet.checks, 4);
  // The communicator failing too (the store went with the job) ends the looking at once.
  CheckingCommunicator broken([](int) { throw std::runtime_error("Connection reset by peer"); });
  EXPECT_EQ(remote_cause(broken), std::nullopt);
  EXPECT_EQ(broken.checks, 1);
}

TEST(PeerWatch, RanksThatNeverConnectAreNamedAndStrangersIgnored) {
  PeerWatch w;
  PeerLink r2("127.0.0.1", w.port(), 2, std::chrono::seconds(5));
  PeerLink stranger("127.0.0.1", w.port(), 7, std::chrono::seconds(5));  // no rank 7 in a world of 3
  try {
    w.accept(2, std::chrono::milliseconds(300));
    FAIL() << "rank 1 never connected";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rank(s) 1 did not connect"), std::string::npos) << e.what();
  }
}

TEST(PeerWatch, NoWatchToConnectToIsNamed) {
  int port = 0;
  {
    PeerWatch gone;
    port = gone.port();
  }  // closed: nobody listens there now
  try {
    PeerLink link("127.0.0.1", port, 4, std::chrono::milliseconds(200));
    FAIL() << "connected to a closed port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 4 cannot connect to rank 0's watch at 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace lb
