#!/usr/bin/env bash
# A real single-node Slurm (Debian's slurm-wlm, munge, optional slurmdbd +
# MariaDB) behind a real OpenSSH server on 127.0.0.1:2222, for Ferry's
# development and CI. Idempotent; no systemd needed. Run as root.
#
#   bash scripts/dev-slurm.sh up [--accounting|--no-accounting]
#   bash scripts/dev-slurm.sh accounting on|off
#   bash scripts/dev-slurm.sh restart-slurmctld
#   bash scripts/dev-slurm.sh status
#   bash scripts/dev-slurm.sh down
#   bash scripts/dev-slurm.sh ssh [COMMAND...]     # ssh to the cluster as ferrytest
#   bash scripts/dev-slurm.sh logs                 # tails of every daemon log
#
# Documentation: docs/dev-cluster.md. Tests read
# /var/lib/ferry-dev-cluster/cluster.json.
set -Eeuo pipefail
umask 022

# ---------------------------------------------------------------- settings
STATE=/var/lib/ferry-dev-cluster
ENV_DIR=/opt/ferry-cluster-env
TEST_USER=ferrytest
TEST_ACCOUNT=ferry
SSH_HOST=127.0.0.1
SSH_PORT=2222
SSH_ALIAS=ferry-dev
CLUSTER_NAME=ferrydev
SLURM_ETC=/etc/slurm
SLURM_CONF=$SLURM_ETC/slurm.conf
DBD_CONF=$SLURM_ETC/slurmdbd.conf
SLURM_LOG=/var/log/slurm
SLURM_LIB=/var/lib/slurm
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
DBD_PID=/run/slurmdbd.pid
MUNGE_PID=/run/munge/munged.pid
MYSQL_RUN=/run/mysqld
MYSQL_SOCK=$MYSQL_RUN/mysqld.sock
MYSQL_PID=$MYSQL_RUN/mysqld.pid
MYSQL_DATA=/var/lib/mysql
MYSQL_LOG=/var/log/mysql/error.log
DB_NAME=slurm_acct_db
DB_USER=slurm
SSHD_CONFIG=$STATE/sshd_config
SSHD_PID=$STATE/sshd.pid
SSHD_LOG=$STATE/sshd.log
TIMEOUT=${FERRY_DEV_SLURM_TIMEOUT:-90}
CTLD_STARTED=0   # seconds, for each wait
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REQUIREMENTS=${FERRY_CLUSTER_ENV_REQUIREMENTS:-$HERE/../examples/requirements.txt}
NODE=$(hostname -s)

# ---------------------------------------------------------------- output
step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
tail_log() {
  local f=$1
  if [ -s "$f" ]; then
    printf -- '---- last lines of %s\n' "$f" >&2
    tail -n "${2:-25}" "$f" >&2
    printf -- '----\n' >&2
  fi
}
# die MESSAGE [LOG...]: print the message and the tail of each log, exit 1.
die() {
  local msg=$1; shift
  printf 'dev-slurm: error: %s\n' "$msg" >&2
  local f; for f in "$@"; do tail_log "$f"; done
  exit 1
}
trap 'rc=$?; [ "$BASHPID" = "$$" ] && printf "dev-slurm: error: command failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2; exit $rc' ERR

[ "$(id -u)" = 0 ] || { echo "dev-slurm: run as root (it installs packages and starts system daemons)" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
# pid_of PIDFILE COMM: print the pid when a live process called COMM owns
# PIDFILE (pid files survive a reboot when /run is not a tmpfs).
pid_of() {
  local pid
  [ -r "$1" ] || return 1
  pid=$(tr -dc 0-9 <"$1")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
  alive "$pid" || return 1
  echo "$pid"
}
# alive PID: the process exists and is not a zombie.
alive() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# daemon_pid PIDFILE COMM: like pid_of, falling back to the one process of
# that exact name (munged, slurmctld, ... are one per machine; sshd is not,
# so sshd is only ever found through our own pid file).
daemon_pid() {
  pid_of "$1" "$2" && return 0
  [ "$2" = sshd ] && return 1
  local p; p=$(pgrep -xo "$2" 2>/dev/null) || return 1
  alive "$p" && echo "$p"
}
# stop_pid PID NAME: SIGTERM, wait up to 20 s, then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 200); do alive "$pid" || return 0; sleep 0.1; done
  info "$2 ($pid) did not stop in 20 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
}
# wait_until SECONDS CMD...: poll CMD every 0.2 s.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
# install_file SRC DEST MODE: replace DEST when it differs; CHANGED=1 if so.
install_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then rm -f "$1"; return 0; fi
  chmod "$3" "$1"; mv -f "$1" "$2"; CHANGED=1
}
# spawn NAME CMD...: start a daemon without any of our file descriptors (a
# daemon holding fd 9 would hold the script's lock; one holding a caller's
# pipe would hang a caller that reads to the end). Its early messages go to
# $STATE/start-NAME.log.
spawn() {
  local name=$1; shift
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@" </dev/null >"$STATE/start-$name.log" 2>&1
  )
}
now() { echo "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
current_accounting() { grep -q '^AccountingStorageType=accounting_storage/slurmdbd' "$SLURM_CONF" 2>/dev/null; }

# ---------------------------------------------------------------- packages
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
ensure_packages() {
  local want=(slurm-wlm munge openssh-server python3 python3-venv procps) missing=() p
  [ "$1" = 1 ] && want+=(slurmdbd mariadb-server)
  for p in "${want[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then info "packages: all present"; return 0; fi
  step "installing ${missing[*]} (Debian packages)"
  # Keep the packages' maintainer scripts from starting their own daemons
  # (sshd on port 22, MariaDB, munge, slurm): this script starts its own.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' >$policy; chmod 755 $policy; made_policy=1
  fi
  local log; log=$(mktemp /tmp/dev-slurm-apt.XXXXXX)
  local ok=1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"; } >"$log" 2>&1 || ok=0
  [ $made_policy = 1 ] && rm -f $policy
  [ $ok = 1 ] || die "apt-get install failed" "$log"
  rm -f "$log"
}

# ---------------------------------------------------------------- state dir, user, keys
ensure_state_dir() {
  mkdir -p "$STATE"; chmod 0700 "$STATE"
}
ensure_user() {
  if ! id "$TEST_USER" >/dev/null 2>&1; then
    step "creating user $TEST_USER"
    useradd -m -s /bin/bash "$TEST_USER"
  fi
  # useradd leaves the password locked ('!'); sshd with UsePAM=no refuses
  # locked accounts even for key logins. '*' = no password, not locked.
  if [ "$(getent shadow "$TEST_USER" | cut -d: -f2)" != '*' ]; then usermod -p '*' "$TEST_USER"; fi
  local home; home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  [ -d "$home" ] || mkdir -p "$home"
  chown "$TEST_USER:" "$home"; chmod 0755 "$home"
  install -d -o "$TEST_USER" -g "$TEST_USER" -m 0700 "$home/.ssh"
  local ak=$home/.ssh/authorized_keys pub; pub=$(cat "$STATE/id_ed25519.pub")
  touch "$ak"
  grep -qxF "$pub" "$ak" || printf '%s\n' "$pub" >>"$ak"
  chown "$TEST_USER:" "$ak"; chmod 0600 "$ak"
  # Ferry's default workdir on the cluster is ~/ferry: the user must be able to create it.
  runuser -u "$TEST_USER" -- test -w "$home" || die "$home is not writable by $TEST_USER"
}
ensure_keys() {
  if [ ! -s "$STATE/id_ed25519" ]; then
    step "generating the $TEST_USER key pair"
    rm -f "$STATE/id_ed25519" "$STATE/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$TEST_USER@$SSH_ALIAS" -f "$STATE/id_ed25519"
  fi
  if [ ! -s "$STATE/ssh_host_ed25519_key" ]; then
    step "generating the sshd host key"
    rm -f "$STATE/ssh_host_ed25519_key" "$STATE/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$SSH_ALIAS-host" -f "$STATE/ssh_host_ed25519_key"
  fi
  chmod 0600 "$STATE/id_ed25519" "$STATE/ssh_host_ed25519_key"
  chmod 0644 "$STATE/id_ed25519.pub" "$STATE/ssh_host_ed25519_key.pub"
  local hk; hk=$(cut -d' ' -f1,2 "$STATE/ssh_host_ed25519_key.pub")
  printf '[%s]:%s %s\n' "$SSH_HOST" "$SSH_PORT" "$hk" >"$STATE/known_hosts.tmp"
  install_file "$STATE/known_hosts.tmp" "$STATE/known_hosts" 0644
  cat >"$STATE/ssh_config.tmp" <<EOF
# Ferry dev cluster (scripts/dev-slurm.sh): ssh -F $STATE/ssh_config $SSH_ALIAS
Host $SSH_ALIAS
  HostName $SSH_HOST
  Port $SSH_PORT
  User $TEST_USER
  IdentityFile $STATE/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
EOF
  install_file "$STATE/ssh_config.tmp" "$STATE/ssh_config" 0644
}

# ---------------------------------------------------------------- python env for jobs
ensure_python_env() {
  local want stamp=$ENV_DIR/.ferry-requirements
  if [ -f "$REQUIREMENTS" ]; then want=$(sha256sum <"$REQUIREMENTS" | cut -c1-16); else want=numpy; fi
  if [ -x "$ENV_DIR/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    info "job environment: $ENV_DIR (present)"; return 0
  fi
  step "creating the job environment $ENV_DIR (venv + $( [ -f "$REQUIREMENTS" ] && grep -v '^#' "$REQUIREMENTS" | xargs || echo numpy))"
  [ -x "$ENV_DIR/bin/python" ] || { rm -rf "$ENV_DIR"; /usr/bin/python3 -m venv "$ENV_DIR"; }
  local log; log=$(mktemp /tmp/dev-slurm-pip.XXXXXX)
  if [ -f "$REQUIREMENTS" ]; then
    "$ENV_DIR/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" >"$log" 2>&1 || die "pip install failed" "$log"
  else
    "$ENV_DIR/bin/python" -m pip install -q --disable-pip-version-check numpy >"$log" 2>&1 || die "pip install failed" "$log"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
  chmod -R a+rX "$ENV_DIR"
}

# ---------------------------------------------------------------- munge
start_munge() {
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    step "creating the munge key"
    mungekey -c -f -k /etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  if daemon_pid "$MUNGE_PID" munged >/dev/null; then info "munged: running"; return 0; fi
  step "starting munged"
  spawn munged runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" \
    || die "munged did not start" "$STATE/start-munged.log" /var/log/munge/munged.log
  wait_until "$TIMEOUT" sh -c 'munge -n | unmunge' || die "munge does not answer" /var/log/munge/munged.log
}

# ---------------------------------------------------------------- MariaDB + slurmdbd
mysql_root() { mariadb --no-defaults -uroot --socket="$MYSQL_SOCK" -N -B "$@"; }
start_mariadb() {
  install -d -o mysql -g mysql -m 0755 "$MYSQL_RUN"
  install -d -o mysql -g adm -m 2750 /var/log/mysql
  if [ ! -d "$MYSQL_DATA/mysql" ]; then
    step "initialising MariaDB's data directory"
    install -d -o mysql -g mysql -m 0755 "$MYSQL_DATA"
    mariadb-install-db --user=mysql --datadir="$MYSQL_DATA" --skip-test-db >/tmp/dev-slurm-mariadb-install.log 2>&1 \
      || die "mariadb-install-db failed" /tmp/dev-slurm-mariadb-install.log
  fi
  if daemon_pid "$MYSQL_PID" mariadbd >/dev/null; then info "MariaDB: running"; else
    step "starting MariaDB (socket only, no TCP)"
    spawn mariadbd setsid -f /usr/sbin/mariadbd --user=mysql --datadir="$MYSQL_DATA" --socket="$MYSQL_SOCK" \
      --pid-file="$MYSQL_PID" --log-error="$MYSQL_LOG" --skip-networking \
      --innodb-buffer-pool-size=512M --innodb-log-file-size=64M --innodb-lock-wait-timeout=900
  fi
  wait_until "$TIMEOUT" mariadb-admin --no-defaults -uroot --socket="$MYSQL_SOCK" ping \
    || die "MariaDB does not answer on $MYSQL_SOCK" "$MYSQL_LOG"
  # The accounting database and its user: created once, password kept in the state dir.
  [ -s "$STATE/db-password" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$STATE/db-password")
  local pw; pw=$(cat "$STATE/db-password")
  mysql_root -e "CREATE DATABASE IF NOT EXISTS $DB_NAME;
    CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
    ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
    GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';" || die "could not create the accounting database" "$MYSQL_LOG"
}
write_dbd_conf() {
  local pw; pw=$(cat "$STATE/db-password")
  cat >"$DBD_CONF.tmp" <<EOF
# Generated by scripts/dev-slurm.sh (Ferry dev cluster).
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
PidFile=$DBD_PID
LogFile=$SLURM_LOG/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=$DB_USER
StoragePass=$pw
StorageLoc=$DB_NAME
EOF
  CHANGED=0; install_file "$DBD_CONF.tmp" "$DBD_CONF" 0600
}
dbd_answers() { sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; }
start_slurmdbd() {
  write_dbd_conf
  local pid
  if pid=$(daemon_pid "$DBD_PID" slurmdbd); then
    if [ "$CHANGED" = 1 ]; then step "restarting slurmdbd (config changed)"; stop_pid "$pid" slurmdbd; else info "slurmdbd: running"; fi
  fi
  if ! daemon_pid "$DBD_PID" slurmdbd >/dev/null; then
    step "starting slurmdbd"
    spawn slurmdbd /usr/sbin/slurmdbd || die "slurmdbd did not start" "$STATE/start-slurmdbd.log" "$SLURM_LOG/slurmdbd.log"
  fi
  # The first start creates the tables: give it the full timeout.
  wait_until "$TIMEOUT" dbd_answers || die "slurmdbd does not answer" "$SLURM_LOG/slurmdbd.log" "$MYSQL_LOG"
  # Cluster, account and user associations (sacctmgr -i: no prompt); one
  # query when all of them exist already.
  if sacctmgr -n -P show assoc format=cluster,account,user 2>/dev/null | grep -qx "$CLUSTER_NAME|$TEST_ACCOUNT|$TEST_USER"; then
    return 0
  fi
  if ! sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER_NAME"; then
    info "registering cluster $CLUSTER_NAME"
    sacctmgr -i -Q add cluster "$CLUSTER_NAME" >/dev/null
  fi
  if ! sacctmgr -n -P show account format=account | grep -qx "$TEST_ACCOUNT"; then
    info "adding account $TEST_ACCOUNT"
    sacctmgr -i -Q add account "$TEST_ACCOUNT" Cluster="$CLUSTER_NAME" Description="Ferry tests" Organization=ferry >/dev/null
  fi
  if ! sacctmgr -n -P show assoc where user="$TEST_USER" account="$TEST_ACCOUNT" format=user | grep -qx "$TEST_USER"; then
    info "adding user $TEST_USER to account $TEST_ACCOUNT"
    sacctmgr -i -Q add user "$TEST_USER" Account="$TEST_ACCOUNT" DefaultAccount="$TEST_ACCOUNT" Cluster="$CLUSTER_NAME" >/dev/null
  fi
}
stop_slurmdbd() {
  local pid
  if pid=$(daemon_pid "$DBD_PID" slurmdbd); then step "stopping slurmdbd"; stop_pid "$pid" slurmdbd; fi
}

# ---------------------------------------------------------------- slurm.conf
real_memory() {
  # Keep the value already written when it still fits (a stable file makes
  # `up` a no-op); otherwise MemAvailable minus 1 GiB, in MB.
  local total avail old
  total=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)
  avail=$(awk '/^MemAvailable:/ {print int($2/1024)}' /proc/meminfo)
  old=$(sed -n "s/^NodeName=$NODE .*RealMemory=\([0-9]*\).*/\1/p" "$SLURM_CONF" 2>/dev/null | head -1 || true)
  if [ -n "$old" ] && [ "$old" -le $((total - 512)) ] && [ "$old" -ge 256 ]; then echo "$old"; return; fi
  local m=$((avail - 1024)); [ $m -ge 256 ] || m=256
  echo "$m"
}
# write_slurm_conf ACCOUNTING(0|1): CHANGED=1 when the file changed.
write_slurm_conf() {
  local acct=$1 cpus mem
  cpus=$(nproc); mem=$(real_memory)
  install -d -m 0755 "$SLURM_ETC" "$SLURM_LOG" "$SLURM_LIB"
  install -d -m 0700 "$SLURM_LIB/slurmctld"
  install -d -m 0755 "$SLURM_LIB/slurmd"   # jobs exec their script from here
  {
    cat <<EOF
# Generated by scripts/dev-slurm.sh (Ferry dev cluster): rewritten by
# 'up' and 'accounting on|off'; edit the script, not this file.
ClusterName=$CLUSTER_NAME
SlurmctldHost=$NODE($SSH_HOST)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
# No cgroups in containers/gVisor: plain /proc process tracking, no task plugin.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
StateSaveLocation=$SLURM_LIB/slurmctld
SlurmdSpoolDir=$SLURM_LIB/slurmd
SlurmctldLogFile=$SLURM_LOG/slurmctld.log
SlurmdLogFile=$SLURM_LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# Timers
MinJobAge=300
KillWait=5
OverTimeLimit=0
InactiveLimit=0
Waittime=0
MessageTimeout=10
SlurmctldTimeout=120
SlurmdTimeout=300

# Scheduling: event-driven on submit/completion, plus short periodic passes,
# so jobs (and dependants of finished jobs) start about a second after they can.
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
PriorityType=priority/basic
MaxArraySize=1001
MaxJobCount=20000
EnforcePartLimits=ALL

JobAcctGatherType=jobacct_gather/none
EOF
    if [ "$acct" = 1 ]; then
      cat <<EOF
# Accounting: slurmdbd + MariaDB ('dev-slurm.sh accounting off' switches it off)
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
AccountingStoreFlags=job_comment
JobCompType=jobcomp/none
EOF
    else
      cat <<EOF
# Accounting: off ('dev-slurm.sh accounting on' switches it on): sacct says
# "Slurm accounting storage is disabled"; finished jobs go to a jobcomp file.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_LOG/jobcomp.log
EOF
    fi
    cat <<EOF

NodeName=$NODE NodeAddr=$SSH_HOST CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=30:00 DefaultTime=10:00 State=UP
PartitionName=long Nodes=$NODE MaxTime=7-00:00:00 DefaultTime=1:00:00 State=UP
EOF
  } >"$SLURM_CONF.tmp"
  CHANGED=0; install_file "$SLURM_CONF.tmp" "$SLURM_CONF" 0644
  [ -e "$SLURM_LOG/jobcomp.log" ] || { touch "$SLURM_LOG/jobcomp.log"; chmod 0644 "$SLURM_LOG/jobcomp.log"; }
}

# ---------------------------------------------------------------- slurmctld / slurmd
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -1; }
start_slurmctld() {
  if daemon_pid "$CTLD_PID" slurmctld >/dev/null; then info "slurmctld: running"; else
    step "starting slurmctld"
    CTLD_STARTED=1
    spawn slurmctld /usr/sbin/slurmctld || die "slurmctld did not start" "$STATE/start-slurmctld.log" "$SLURM_LOG/slurmctld.log"
  fi
  wait_until "$TIMEOUT" ctld_up || die "slurmctld does not answer" "$SLURM_LOG/slurmctld.log"
}
stop_slurmctld() {
  local pid
  if pid=$(daemon_pid "$CTLD_PID" slurmctld); then stop_pid "$pid" slurmctld; fi
}
start_slurmd() {
  if daemon_pid "$SLURMD_PID" slurmd >/dev/null; then
    info "slurmd: running"
    # A running slurmd registers with a new slurmctld only at its next ping
    # (seconds later), and keeps the slurm.conf it read at start: reconfigure
    # makes it reread the file and register now.
    if [ "$CTLD_STARTED" = 1 ] || [ "${1:-0}" = 1 ]; then scontrol reconfigure >/dev/null 2>&1 || true; fi
    return 0
  fi
  step "starting slurmd"
  spawn slurmd /usr/sbin/slurmd || die "slurmd did not start" "$STATE/start-slurmd.log" "$SLURM_LOG/slurmd.log"
}
# wait_node_ready: the node takes jobs (idle, or mixed/allocated when jobs run).
wait_node_ready() {
  local deadline=$((SECONDS + TIMEOUT)) st resumed=0
  while :; do
    st=$(node_state || true)
    case "$st" in
      idle|mixed|allocated|completing) return 0 ;;
      drained|draining|down|drain*)
        # slurmd answers (no '*') but the node kept an old down/drain state.
        if [ $resumed = 0 ]; then
          info "node $NODE is $st: resuming it"
          scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true; resumed=1
        fi ;;
    esac
    [ $SECONDS -lt $deadline ] || die "node $NODE is not ready (state: ${st:-unknown}; $(sinfo -h -N -n "$NODE" -o '%E' 2>/dev/null))" \
      "$SLURM_LOG/slurmd.log" "$SLURM_LOG/slurmctld.log"
    sleep 0.2
  done
}
sacct_answers() { sacct -n -X -o JobID >/dev/null 2>&1; }
wait_accounting() {
  wait_until "$TIMEOUT" sacct_answers || die "sacct does not answer" "$SLURM_LOG/slurmdbd.log" "$SLURM_LOG/slurmctld.log"
}

# ---------------------------------------------------------------- sshd
start_sshd() {
  install -d -m 0755 /run/sshd
  cat >"$SSHD_CONFIG.tmp" <<EOF
# Generated by scripts/dev-slurm.sh: Ferry's dev "login node".
ListenAddress $SSH_HOST
Port $SSH_PORT
HostKey $STATE/ssh_host_ed25519_key
PidFile $SSHD_PID
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin no
AllowUsers $TEST_USER
LogLevel VERBOSE
PrintMotd no
X11Forwarding no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  CHANGED=0; install_file "$SSHD_CONFIG.tmp" "$SSHD_CONFIG" 0600
  /usr/sbin/sshd -t -f "$SSHD_CONFIG" 2>"$STATE/sshd-test.log" || die "sshd rejects its config" "$STATE/sshd-test.log"
  rm -f "$STATE/sshd-test.log"
  local pid
  if pid=$(pid_of "$SSHD_PID" sshd); then
    if [ "$CHANGED" = 1 ]; then
      step "reloading sshd (config changed)"; kill -HUP "$pid"
      sleep 0.5
    else info "sshd: running on $SSH_HOST:$SSH_PORT"; fi
  else
    if port_in_use "$SSH_HOST" "$SSH_PORT"; then
      die "$SSH_HOST:$SSH_PORT is taken by another process (not this script's sshd, pid file $SSHD_PID)"
    fi
    step "starting sshd on $SSH_HOST:$SSH_PORT"
    spawn sshd /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" || die "sshd did not start" "$STATE/start-sshd.log" "$SSHD_LOG"
  fi
  wait_until "$TIMEOUT" port_in_use "$SSH_HOST" "$SSH_PORT" || die "sshd does not listen on $SSH_HOST:$SSH_PORT" "$SSHD_LOG"
}
stop_sshd() {
  local pid
  if pid=$(pid_of "$SSHD_PID" sshd); then step "stopping sshd"; stop_pid "$pid" sshd; fi
}
cluster_ssh() { ssh -F "$STATE/ssh_config" "$SSH_ALIAS" "$@"; }

# ---------------------------------------------------------------- cluster.json
write_cluster_json() {
  local fp ver acct=false
  fp=$(ssh-keygen -l -E sha256 -f "$STATE/ssh_host_ed25519_key.pub" | awk '{print $2}')
  ver=$(sinfo -V | awk '{print $NF}')
  current_accounting && acct=true
  python3 - "$STATE/cluster.json.tmp" <<EOF
import json, sys
data = {
    "host": "$SSH_HOST",
    "port": $SSH_PORT,
    "user": "$TEST_USER",
    "identityFile": "$STATE/id_ed25519",
    "knownHostsFile": "$STATE/known_hosts",
    "sshConfigFile": "$STATE/ssh_config",
    "sshHostAlias": "$SSH_ALIAS",
    "hostKeyFingerprint": "$fp",
    "accounting": $( [ $acct = true ] && echo True || echo False ),
    "slurmVersion": "$ver",
    "clusterName": "$CLUSTER_NAME",
    "account": "$TEST_ACCOUNT",
    "python": "$ENV_DIR/bin/python",
    "setup": ["source $ENV_DIR/bin/activate"],
    "partitions": ["debug", "long"],
    "defaultPartition": "debug",
    "workdir": "~/ferry",
}
with open(sys.argv[1], "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
EOF
  CHANGED=0; install_file "$STATE/cluster.json.tmp" "$STATE/cluster.json" 0600
}

# ---------------------------------------------------------------- commands
lock() {
  ensure_state_dir
  exec 9>"$STATE/lock"
  flock -w 600 9 || die "another dev-slurm.sh is still running (lock $STATE/lock)"
}

cmd_up() {
  local acct=1 t0; t0=$(now)
  for a in "$@"; do
    case "$a" in
      --accounting) acct=1 ;;
      --no-accounting) acct=0 ;;
      *) die "up: unknown option $a (use --accounting or --no-accounting)" ;;
    esac
  done
  step "dev cluster up ($( [ $acct = 1 ] && echo 'with accounting' || echo 'no accounting'))"
  lock
  ensure_packages "$acct"
  ensure_keys
  ensure_user
  ensure_python_env
  start_munge
  # slurm.conf first: sacctmgr reads its accounting lines.
  write_slurm_conf "$acct"
  local conf_changed=$CHANGED pid
  if [ $acct = 1 ]; then start_mariadb; start_slurmdbd; fi
  if [ "$conf_changed" = 1 ] && pid=$(daemon_pid "$CTLD_PID" slurmctld); then
    step "restarting slurmctld (slurm.conf changed)"; stop_pid "$pid" slurmctld
  fi
  start_slurmctld
  start_slurmd "$conf_changed"
  [ $acct = 0 ] && stop_slurmdbd
  wait_node_ready
  [ $acct = 1 ] && wait_accounting
  start_sshd
  write_cluster_json
  cluster_ssh true 2>"$STATE/ssh-check.log" || die "ssh $SSH_ALIAS does not work" "$STATE/ssh-check.log" "$SSHD_LOG"
  rm -f "$STATE/ssh-check.log"
  step "ready in $(since "$t0")"
  summary
}

cmd_accounting() {
  local want
  case "${1:-}" in on) want=1 ;; off) want=0 ;; *) die "usage: dev-slurm.sh accounting on|off" ;; esac
  [ -f "$SLURM_CONF" ] || die "no $SLURM_CONF yet: run 'dev-slurm.sh up' first"
  local t0; t0=$(now)
  lock
  if [ $want = 1 ]; then ensure_packages 1; fi
  start_munge
  write_slurm_conf "$want"
  local conf_changed=$CHANGED
  if [ $want = 1 ]; then start_mariadb; start_slurmdbd; fi
  if [ "$conf_changed" = 1 ]; then
    step "accounting $1: restarting slurmctld"
    stop_slurmctld
    start_slurmctld
    start_slurmd 1
  else
    info "accounting is already $1"
    start_slurmctld; start_slurmd
  fi
  [ $want = 0 ] && stop_slurmdbd
  wait_node_ready
  [ $want = 1 ] && wait_accounting
  write_cluster_json
  step "accounting $1 ($(since "$t0"))"
}

cmd_restart_slurmctld() {
  [ -f "$SLURM_CONF" ] || die "no $SLURM_CONF yet: run 'dev-slurm.sh up' first"
  lock
  local t0; t0=$(now)
  step "restarting slurmctld"
  stop_slurmctld
  start_slurmctld
  start_slurmd
  wait_node_ready
  step "slurmctld restarted ($(since "$t0"))"
}

cmd_down() {
  lock
  step "dev cluster down"
  local pid ids
  if daemon_pid "$CTLD_PID" slurmctld >/dev/null && ctld_up; then
    ids=$(squeue -h -o %A 2>/dev/null | xargs || true)
    if [ -n "$ids" ]; then
      info "cancelling jobs: $ids"
      # shellcheck disable=SC2086
      scancel $ids 2>/dev/null || true
      # shellcheck disable=SC2016
      wait_until 20 sh -c '[ -z "$(squeue -h -t R,CG -o %A)" ]' || info "some jobs are still completing"
    fi
  fi
  stop_sshd
  if pid=$(daemon_pid "$SLURMD_PID" slurmd); then step "stopping slurmd"; stop_pid "$pid" slurmd; fi
  if pid=$(daemon_pid "$CTLD_PID" slurmctld); then step "stopping slurmctld"; stop_pid "$pid" slurmctld; fi
  stop_slurmdbd
  if pid=$(daemon_pid "$MYSQL_PID" mariadbd); then step "stopping MariaDB"; stop_pid "$pid" mariadbd; fi
  if pid=$(daemon_pid "$MUNGE_PID" munged); then step "stopping munged"; stop_pid "$pid" munged; fi
  step "stopped (config, keys, job state and the accounting database are kept)"
}

show_daemon() {
  local pid
  if pid=$(daemon_pid "$2" "$3"); then printf '    %-10s running (pid %s)\n' "$1" "$pid"; else printf '    %-10s stopped\n' "$1"; fi
}
cmd_status() {
  local rc=0
  echo "dev cluster ($STATE)"
  show_daemon munged "$MUNGE_PID" munged
  show_daemon mariadb "$MYSQL_PID" mariadbd
  show_daemon slurmdbd "$DBD_PID" slurmdbd
  show_daemon slurmctld "$CTLD_PID" slurmctld
  show_daemon slurmd "$SLURMD_PID" slurmd
  show_daemon sshd "$SSHD_PID" sshd
  if [ -f "$SLURM_CONF" ]; then
    if current_accounting; then echo "    accounting: on (slurmdbd)"; else echo "    accounting: off"; fi
  fi
  if ctld_up; then
    sinfo -o '    %P %a %l %D %T %N' 2>/dev/null || true
    echo "    jobs in squeue: $(squeue -h -o %A 2>/dev/null | wc -l)"
  else
    echo "    slurmctld does not answer"; rc=1
  fi
  if [ -f "$STATE/ssh_config" ] && cluster_ssh true 2>/dev/null; then
    echo "    ssh $SSH_ALIAS: ok (ssh -F $STATE/ssh_config $SSH_ALIAS)"
  else
    echo "    ssh $SSH_ALIAS: not reachable"; rc=1
  fi
  return $rc
}

summary() {
  cat <<EOF
    slurm $(sinfo -V | awk '{print $NF}'), cluster $CLUSTER_NAME, node $NODE ($(nproc) CPUs), partitions debug (default, 30 min), long
    accounting: $(current_accounting && echo 'on (sacct via slurmdbd)' || echo off)
    ssh:        ssh -F $STATE/ssh_config $SSH_ALIAS   ($TEST_USER@$SSH_HOST:$SSH_PORT)
    for tests:  $STATE/cluster.json
    jobs' env:  source $ENV_DIR/bin/activate
EOF
}

cmd_logs() {
  local f
  for f in /var/log/munge/munged.log "$MYSQL_LOG" "$SLURM_LOG/slurmdbd.log" "$SLURM_LOG/slurmctld.log" "$SLURM_LOG/slurmd.log" "$SSHD_LOG"; do
    [ -f "$f" ] && { echo "---- $f"; tail -n "${1:-15}" "$f"; }
  done
  return 0
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  up) cmd_up "$@" ;;
  accounting) cmd_accounting "$@" ;;
  restart-slurmctld) cmd_restart_slurmctld ;;
  down) cmd_down ;;
  status) if cmd_status; then exit 0; else exit 1; fi ;;
  ssh) [ -f "$STATE/ssh_config" ] || die "run 'dev-slurm.sh up' first"; exec ssh -F "$STATE/ssh_config" "$SSH_ALIAS" "$@" ;;
  logs) cmd_logs "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
