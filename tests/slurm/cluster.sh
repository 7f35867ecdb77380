#!/usr/bin/env bash
# A throw-away Slurm cluster of virtual nodes on this one machine, for the tests of slurm/.
#
#   cluster.sh start DIR   write a configuration under DIR, start munged, slurmctld and one slurmd
#                          per virtual node, wait until every node is idle; on any failure stop
#                          what was started and exit 1
#   cluster.sh stop DIR    cancel the cluster's jobs and stop every process that start recorded,
#                          by pid (TERM, then KILL), plus job step daemons left behind
#   cluster.sh env DIR     print the variables that point Slurm's commands at this cluster
#
# DIR may be an existing directory, used as it is; otherwise DIR becomes a symbolic link to a new
# directory under $TMPDIR (or /tmp), which stop removes with the link. Unix socket paths are
# limited to 107 bytes, and build trees can be deep: the short temporary path keeps the munge,
# slurmstepd and PMIx sockets within it.
#
# Everything (configuration, munge key and socket, spool, logs, state) lives under DIR; nothing is
# read from or written to /etc. Settings (environment):
#   LB_TEST_NODES       number of virtual nodes (8)
#   LB_TEST_NODE_CPUS   CPUs each node advertises (the real CPU count, so slurmd accepts it)
#   LB_TEST_NODE_GPUS   GPUs each node advertises (stand-ins, no real device), so that the
#                       scripts' LUMI request of 8 GPUs per node is scheduled as written (8)
#   LB_TEST_NODE_MEM_MB memory each node advertises; memory is a scheduled resource (2048)
#   LB_TEST_PARTITION   partition name (lbtest)
#   LB_TEST_MAX_S       a watchdog stops the cluster after this many seconds even if `stop` is
#                       never called, e.g. because ctest itself was killed (1800)
#   LB_TEST_KEEP=1      stop leaves the temporary directory (logs) in place
# Exit codes: 0 ok, 1 the cluster could not be started or stopped cleanly, 2 usage.
set -Eeuo pipefail

usage() { echo "usage: cluster.sh start|stop|env DIR" >&2; exit 2; }
(($# == 2)) || usage
action=$1
link=$2
case "$action" in start|stop|env) ;; *) usage ;; esac
[[ $link == /* ]] || link=$PWD/$link   # the watchdog may run stop from elsewhere
if [[ -d $link && ! -L $link ]]; then
  dir=$(cd "$link" && pwd)
  link=""
elif [[ -L $link && -d $link ]]; then
  dir=$(readlink -f "$link")
elif [[ $action == start ]]; then
  rm -f "$link"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lbslurm.XXXXXX")
  ln -s "$dir" "$link"
else
  echo "cluster.sh: no cluster at '$link'" >&2
  [[ $action == stop ]] && exit 0
  exit 1
fi

nodes=${LB_TEST_NODES:-8}
node_cpus=${LB_TEST_NODE_CPUS:-$(nproc)}
node_gpus=${LB_TEST_NODE_GPUS:-8}
node_mem_mb=${LB_TEST_NODE_MEM_MB:-2048}
partition=${LB_TEST_PARTITION:-lbtest}
max_s=${LB_TEST_MAX_S:-1800}
conf=$dir/etc/slurm.conf
pids=$dir/pids   # "<pid> <program>" per started process; stop reads it

log() { echo "cluster.sh: $*" >&2; }

for program in munged slurmctld slurmd sbatch scontrol; do
  if ! command -v "$program" >/dev/null && [[ ! -x /usr/sbin/$program ]]; then
    log "'$program' not found: install the packages in cmake/packages/slurm.txt"
    exit 1
  fi
done
PATH=$PATH:/usr/sbin

node_name() { echo "lbn$1"; }

print_env() {
  echo "export SLURM_CONF=$conf"
  echo "export LB_TEST_PARTITION=$partition"
}

# Ports that something on this machine uses, in any TCP state, from the kernel's tables.
used_ports() {
  local sl local_address rest
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r sl local_address rest; do
    if [[ $local_address == *:* && $sl != sl ]]; then echo $((16#${local_address##*:})); fi
  done | sort -un
}

# $1 free ports from a random starting point, so that clusters of parallel test runs differ.
free_ports() {
  local want=$1 port=$((20000 + RANDOM % 30000)) got=0 used
  used=" $(used_ports | tr '\n' ' ') "
  while ((got < want)); do
    if [[ $used != *" $port "* ]]; then echo "$port"; got=$((got + 1)); fi
    port=$((port + 1))
  done
}

write_config() {
  local ports ctld_port i
  mapfile -t ports < <(free_ports $((nodes + 1)))
  ctld_port=${ports[0]}
  mkdir -p "$dir/etc" "$dir/ctld/state"
  cat >"$conf" <<EOF
# Written by tests/slurm/cluster.sh: $nodes virtual nodes on one machine.
ClusterName=lbtest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld/state
SlurmctldPidFile=$dir/ctld/slurmctld.pid
SlurmctldLogFile=$dir/ctld/slurmctld.log
# %n makes each virtual node's spool, pid file, log and job temporary directory its own; PMIx keeps
# its per-node server directories under TmpFS, which would otherwise collide.
SlurmdSpoolDir=$dir/nodes/%n/spool
SlurmdPidFile=$dir/nodes/%n/slurmd.pid
SlurmdLogFile=$dir/nodes/%n/slurmd.log
TmpFS=$dir/nodes/%n/tmp
SlurmdDebug=info
SlurmctldDebug=info
# No cgroups: the test machine may be a container without a writable cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
# Memory is scheduled (as on LUMI), so a job must ask for what a virtual node has.
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=600
# Job ids (and so PMIx namespaces) differ between clusters of test runs that overlap in time.
FirstJobId=$((1000 + RANDOM * 10))
EOF
  # PMIx fence as a ring. With the default fence, jobs of 16 Open MPI ranks on 8 virtual nodes
  # crashed inside MPI_Init (a null call in the TCP transport's receive handler) in 19 of 70 tries,
  # with 1 rank per node in none of 20; with the ring fence, in none of 105.
  echo "PMIxCollFence=ring" >"$dir/etc/mpi.conf"
  : >"$dir/etc/gres.conf"
  for ((i = 1; i <= nodes; i++)); do
    local name node_dir gpu
    name=$(node_name "$i")
    node_dir=$dir/nodes/$name
    mkdir -p "$node_dir/spool" "$node_dir/tmp" "$node_dir/dev"
    echo "NodeName=$name NodeHostname=localhost NodeAddr=127.0.0.1 Port=${ports[i]}" \
      "CPUs=$node_cpus RealMemory=$node_mem_mb Gres=gpu:$node_gpus State=UNKNOWN" >>"$conf"
    # Stand-in GPUs: slurmd reports a GPU count only for device files it can stat (a count alone
    # is reported as 0 and the node is drained), so each GPU is an empty file of its own.
    for ((gpu = 0; gpu < node_gpus; gpu++)); do : >"$node_dir/dev/gpu$gpu"; done
    echo "NodeName=$name Name=gpu File=$node_dir/dev/gpu[0-$((node_gpus - 1))]" >>"$dir/etc/gres.conf"
  done
  echo "PartitionName=$partition Nodes=ALL Default=YES MaxTime=60 State=UP" >>"$conf"
}

# Starts "$@" in its own session with no terminal and no inherited pipes (ctest waits on those),
# and records its pid.
spawn() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$dir/$name.out" 2>&1 &
  echo "$! $name" >>"$pids"
}

# The pid recorded for a program still runs that program (and not a recycled pid).
is_ours() {
  local pid=$1 name=$2 cmd
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  case "$name" in
    watchdog) [[ $cmd == *cluster.sh* ]] ;;
    slurmd-*) [[ $cmd == *slurmd* ]] ;;
    *) [[ $cmd == *"$name"* ]] ;;
  esac
}

# The process exists and has not exited (a zombie has exited).
is_running() {
  local stat
  stat=$(cat 2>/dev/null "/proc/$1/stat") || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

stop_cluster() {
  local status=0 pid name waited
  export SLURM_CONF=$conf
  # Jobs first, so that their step daemons end through Slurm while the slurmds are still up.
  if [[ -f $pids ]] && scontrol ping >/dev/null 2>&1; then
    scancel --full "--partition=$partition" >/dev/null 2>&1 || true
    for ((waited = 0; waited < 30; waited++)); do
      # Finished jobs stay listed for MinJobAge; only unfinished ones are waited for.
      [[ -z $(squeue -h -p "$partition" -t PD,CF,R,CG,S -o %i 2>/dev/null | head -1) ]] && break
      sleep 0.5
    done
  fi
  # Step daemons detach from slurmd; they are recognised by a spool socket of this cluster.
  local fd proc
  for proc in /proc/[0-9]*; do
    [[ $(cat "$proc/comm" 2>/dev/null) == slurmstepd ]] || continue
    for fd in "$proc"/fd/*; do
      if [[ $(readlink "$fd" 2>/dev/null) == "$dir"/* ]]; then
        log "stopping a job step daemon left behind (pid ${proc#/proc/})"
        kill -KILL "${proc#/proc/}" 2>/dev/null || true
        break
      fi
    done
  done
  [[ -f $pids ]] || return 0
  # Reverse order: node daemons, controller, munge last (the others authenticate through it).
  while read -r pid name; do
    [[ $pid == "$$" || $pid == "$PPID" ]] && continue   # the watchdog calling stop
    is_ours "$pid" "$name" || continue
    if [[ $name == watchdog ]]; then kill -TERM -- "-$pid" 2>/dev/null || true; continue; fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((waited = 0; waited < 50; waited++)); do
      is_ours "$pid" "$name" || break
      sleep 0.1
    done
    if is_ours "$pid" "$name"; then
      log "$name (pid $pid) ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      status=1
    fi
  done < <(tac "$pids")
  rm -f "$pids"
  return $status
}

start_cluster() {
  if [[ -f $pids ]]; then
    log "a cluster recorded in $dir is still up; stopping it first"
    stop_cluster || true
  fi
  rm -rf "${dir:?}/etc" "$dir/ctld" "$dir/nodes" "$dir/munge" "$dir"/*.out
  : >"$pids"
  # Only the main shell cleans up (errtrace also fires the trap in subshells).
  trap '[[ $BASHPID == "$$" ]] && { log "start failed; stopping what was started"; stop_cluster || true; }' ERR
  write_config

  # munge with its own key and socket: the machine's munged (if any) is not touched.
  mkdir -p "$dir/munge" && chmod 755 "$dir/munge"   # clients need to reach the socket
  if command -v mungekey >/dev/null || [[ -x /usr/sbin/mungekey ]]; then
    mungekey --create --keyfile="$dir/munge/munge.key" --force
  else
    head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  fi
  chmod 600 "$dir/munge/munge.key"
  spawn munged munged --foreground --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  wait_for "munged socket" 10 test -S "$dir/munge/munge.socket"

  spawn slurmctld slurmctld -D -i -f "$conf"
  export SLURM_CONF=$conf
  wait_for "slurmctld" 30 scontrol ping
  local i
  for ((i = 1; i <= nodes; i++)); do
    spawn "slurmd-$(node_name "$i")" slurmd -D -N "$(node_name "$i")" -f "$conf"
  done
  wait_for "$nodes idle nodes" 60 all_nodes_idle
  # A watchdog, in case nobody calls stop (ctest killed, machine's session ended).
  # shellcheck disable=SC2016  # expanded by the watchdog's shell
  spawn watchdog bash -c 'sleep "$1" & wait $!; exec "$2" stop "$3"' watchdog "$max_s" "$(readlink -f "$0")" "${link:-$dir}"
  trap - ERR
  log "up: $nodes nodes in partition $partition ($conf)"
}

all_nodes_idle() {
  local idle
  idle=$(sinfo -h -p "$partition" -t idle -o '%D' 2>/dev/null | awk '{n += $1} END {print n + 0}')
  ((idle == nodes))
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND; on timeout shows the logs and fails.
wait_for() {
  local what=$1 seconds=$2 tries; shift 2
  local pid name dead=""
  for ((tries = 0; tries < seconds * 4; tries++)); do
    "$@" >/dev/null 2>&1 && return 0
    while read -r pid name; do
      is_running "$pid" || dead+=" $name"
    done <"$pids"
    [[ -n $dead ]] && break
    sleep 0.25
  done
  if [[ -n $dead ]]; then
    log "waiting for $what: exited:$dead; logs follow"
  else
    log "timed out after ${seconds}s waiting for $what; logs follow"
  fi
  tail -n 20 "$dir"/*.out "$dir"/munge/munged.log "$dir"/ctld/slurmctld.log \
    "$dir"/nodes/*/slurmd.log >&2 2>/dev/null || true
  return 1
}

case "$action" in
  start) start_cluster ;;
  stop)
    status=0
    stop_cluster || status=$?
    if [[ -n $link && ${LB_TEST_KEEP:-0} != 1 ]]; then
      rm -rf "$dir" "$link"
    fi
    exit $status ;;
  env) print_env ;;
esac
