#!/usr/bin/env bash
# Local Kubernetes control plane for development and tests: etcd + kube-apiserver on loopback, no
# Docker, the way controller-runtime's envtest runs them. There is no controller-manager, scheduler
# or kubelet: no pods run, no garbage collection, no namespace finalization.
#
#   hack/local-cluster.sh up      start (idempotent); prints the admin kubeconfig path on stdout
#   hack/local-cluster.sh down    stop exactly the processes that `up` started; remove etcd's data
#   hack/local-cluster.sh env     print `export KUBECONFIG=...`
#   hack/local-cluster.sh status  say whether it runs (exit 0) or not (exit 1)
#   hack/local-cluster.sh restart-apiserver   stop and start kube-apiserver only (cuts every watch)
#
# Environment:
#   KUBEBUILDER_ASSETS        directory holding kube-apiserver and etcd (else hack/build-binaries.sh)
#   CERTHOST_LOCAL_DIR        state directory (default <repo>/.local): kubeconfig, pki/, *.pid, *.log
#   CERTHOST_APISERVER_PORT   secure port to use (default: a free port); busy = error
#   CERTHOST_ETCD_PORT        etcd client port to use (default: a free port); busy = error
#   CERTHOST_START_TIMEOUT    seconds to wait for /readyz (default 90)
#   CERTHOST_WATCH_PID        `up` only: stop the control plane by itself when this process exits
#                             (the test harness passes its own pid, so a killed run leaves nothing)
#   CERTHOST_APISERVER_ARGS   extra kube-apiserver flags (space-separated)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/hack/local-cluster.sh"
DIR="${CERTHOST_LOCAL_DIR:-$ROOT/.local}"
STATE="$DIR/state.env"
KUBECONFIG_OUT="$DIR/kubeconfig"
PKI="$DIR/pki"

log() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { printf 'local-cluster: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,21p' "$SELF" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# --- processes -----------------------------------------------------------------------------------

# alive PID: the process exists and is not a zombie (an exited child that nobody reaped yet still
# answers kill -0).
alive() {
  local st
  st="$(sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

# ours PIDFILE MARKER: the pid in PIDFILE is alive and its command line contains MARKER (a path only
# this run uses), so a recycled pid never makes us signal a stranger.
ours() {
  local pidfile="$1" marker="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# stop_pid NAME PIDFILE MARKER: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pid() {
  local name="$1" pidfile="$2" marker="$3" pid i
  if ours "$pidfile" "$marker"; then
    pid="$(cat "$pidfile")"
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$pidfile"
}

load_state() {
  ETCD_DATA="" ETCD_PORT="" APISERVER_PORT="" BIN_DIR=""
  # shellcheck disable=SC1090
  [[ -f "$STATE" ]] && source "$STATE"
  return 0
}

running() {
  load_state
  [[ -n "$ETCD_DATA" ]] && ours "$DIR/etcd.pid" "$ETCD_DATA" && ours "$DIR/kube-apiserver.pid" "$PKI"
}

# Stops whatever is left of a run in $DIR (all of it, or the remains of a killed one).
cleanup_dir() {
  load_state
  # The watchdog must not be killed when it is the one calling us.
  if [[ "${CERTHOST_FROM_WATCHDOG:-}" != "1" ]]; then
    stop_pid watchdog "$DIR/watchdog.pid" "$SELF"
  else
    rm -f "$DIR/watchdog.pid"
  fi
  stop_pid kube-apiserver "$DIR/kube-apiserver.pid" "$PKI"
  if [[ -n "$ETCD_DATA" ]]; then
    stop_pid etcd "$DIR/etcd.pid" "$ETCD_DATA"
    # Only ever delete the temporary directory this script created.
    case "$ETCD_DATA" in
      */certhost-etcd.*) rm -rf -- "$ETCD_DATA" ;;
    esac
  else
    rm -f "$DIR/etcd.pid"
  fi
  rm -f "$STATE" "$KUBECONFIG_OUT"
}

# --- ports ---------------------------------------------------------------------------------------

port_busy() {
  # Listening sockets on any address for this port, or a successful connect.
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {  # sets FREE_PORT
  local p i
  for ((i = 0; i < 200; i++)); do
    # Below Linux's ephemeral range (32768+), so outgoing connections do not take it meanwhile.
    p=$((20000 + RANDOM % 12000))
    if ! port_busy "$p" && [[ " ${TAKEN_PORTS:-} " != *" $p "* ]]; then
      TAKEN_PORTS="${TAKEN_PORTS:-} $p"
      FREE_PORT="$p"
      return 0
    fi
  done
  die "found no free TCP port on 127.0.0.1 in 20000-31999"
}

pick_port() {  # pick_port VARNAME ENV_NAME
  local env="$2" fixed="${!2:-}"
  if [[ -n "$fixed" ]]; then
    [[ "$fixed" =~ ^[0-9]+$ ]] || die "$env must be a port number, got '$fixed'"
    port_busy "$fixed" && die "port $fixed ($env) is already in use; free it, or unset $env to pick a free port"
    printf -v "$1" '%s' "$fixed"
  else
    free_port # not in $(...): TAKEN_PORTS must survive, so two picks never return the same port
    printf -v "$1" '%s' "$FREE_PORT"
  fi
}

# --- binaries and certificates -------------------------------------------------------------------

resolve_binaries() {
  if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
    BIN_DIR="$KUBEBUILDER_ASSETS"
  else
    log "KUBEBUILDER_ASSETS is not set; using the pinned binaries (hack/build-binaries.sh)"
    BIN_DIR="$("$ROOT/hack/build-binaries.sh" | tail -n1)"
  fi
  local b
  for b in kube-apiserver etcd; do
    [[ -x "$BIN_DIR/$b" ]] || die "$BIN_DIR/$b is missing or not executable (KUBEBUILDER_ASSETS must hold kube-apiserver and etcd)"
  done
}

gen_pki() {
  command -v openssl >/dev/null 2>&1 || die "openssl is required to generate the certificates"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  (
    cd "$PKI"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 3650 -subj "/CN=certhost-local-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # Serving certificate of kube-apiserver.
    openssl req -new "${ec[@]}" -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
      "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" > apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    # Admin client certificate: O=system:masters is bound to cluster-admin by the RBAC bootstrap.
    openssl req -new "${ec[@]}" -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=certhost-admin" 2>/dev/null
    printf '%s\n' "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature,keyEncipherment" > admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile admin.ext -out admin.crt 2>/dev/null
    # Service-account token signing key pair.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    rm -f ./*.csr ./*.ext ./*.srl
    chmod 600 ./*.key
  ) || die "generating certificates with openssl failed"
}

write_kubeconfig() {
  local tmp="$KUBECONFIG_OUT.tmp"
  umask 077
  cat > "$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: certhost-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: certhost-admin
  user:
    client-certificate-data: $(base64 -w0 < "$PKI/admin.crt")
    client-key-data: $(base64 -w0 < "$PKI/admin.key")
contexts:
- name: certhost-local
  context:
    cluster: certhost-local
    user: certhost-admin
    namespace: default
current-context: certhost-local
EOF
  mv -f "$tmp" "$KUBECONFIG_OUT"
}

# --- start ---------------------------------------------------------------------------------------

log_says_port_busy() { grep -qiE 'address already in use|bind: address' "$1" 2>/dev/null; }

start_etcd() {
  : > "$DIR/etcd.log"
  setsid "$BIN_DIR/etcd" \
    --data-dir="$ETCD_DATA" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:0" \
    --unsafe-no-fsync=true \
    --log-level=warn \
    < /dev/null >> "$DIR/etcd.log" 2>&1 8>&- &
  echo $! > "$DIR/etcd.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    alive "$(cat "$DIR/etcd.pid")" || return 1
    if curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; then
      return 0
    fi
    sleep 0.1
  done
  log "etcd did not report healthy within 30 s"
  return 1
}

start_apiserver() {
  : > "$DIR/kube-apiserver.log"
  local extra=()
  # shellcheck disable=SC2206
  [[ -n "${CERTHOST_APISERVER_ARGS:-}" ]] && extra=(${CERTHOST_APISERVER_ARGS})
  setsid "$BIN_DIR/kube-apiserver" \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --bind-address=127.0.0.1 \
    --secure-port="$APISERVER_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" \
    --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=true \
    "${extra[@]}" \
    < /dev/null >> "$DIR/kube-apiserver.log" 2>&1 8>&- &
  echo $! > "$DIR/kube-apiserver.pid"
}

wait_ready() {
  local timeout="${CERTHOST_START_TIMEOUT:-90}" start=$SECONDS out
  while (( SECONDS - start < timeout )); do
    alive "$(cat "$DIR/kube-apiserver.pid")" || return 1
    out="$(curl -sS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
      "https://127.0.0.1:$APISERVER_PORT/readyz" 2>/dev/null || true)"
    [[ "$out" == "ok" ]] && return 0
    sleep 0.25
  done
  log "kube-apiserver was not ready within ${timeout}s; last /readyz answer: ${out:-none}"
  return 1
}

start_watchdog() {
  local watch="$1"
  [[ "$watch" =~ ^[0-9]+$ ]] || die "CERTHOST_WATCH_PID must be a pid, got '$watch'"
  if ! alive "$watch"; then
    # The caller died while we were starting (e.g. a test run killed during the first build).
    log "CERTHOST_WATCH_PID=$watch is gone; stopping again"
    cleanup_dir
    die "CERTHOST_WATCH_PID=$watch is not a running process"
  fi
  # The loop's command line contains $SELF, which is what `ours` checks before stopping it.
  # shellcheck disable=SC2016 # the script is expanded by the watchdog's bash, with "$@" as arguments
  CERTHOST_LOCAL_DIR="$DIR" CERTHOST_FROM_WATCHDOG=1 setsid bash -c '
    alive() { local l; { read -r l < "/proc/$1/stat"; } 2>/dev/null || return 1; l="${l##*) }"; [[ "${l%% *}" != Z ]]; }
    while alive "$1" && [[ -f "$2" ]]; do sleep 1; done
    if [[ -f "$2" ]]; then exec "$3" down; fi
  ' certhost-watchdog "$watch" "$STATE" "$SELF" < /dev/null >> "$DIR/watchdog.log" 2>&1 8>&- &
  echo $! > "$DIR/watchdog.pid"
}

cmd_up() {
  mkdir -p "$DIR"
  exec 8>"$DIR/.lock"
  flock -w 300 8 || die "another up/down holds $DIR/.lock"

  if running; then
    log "already running: kube-apiserver https://127.0.0.1:$APISERVER_PORT (etcd 127.0.0.1:$ETCD_PORT)"
    [[ -f "$KUBECONFIG_OUT" ]] || write_kubeconfig
    echo "$KUBECONFIG_OUT"
    return 0
  fi
  if [[ -f "$STATE" || -f "$DIR/etcd.pid" || -f "$DIR/kube-apiserver.pid" || -f "$DIR/watchdog.pid" ]]; then
    log "found a stale run in $DIR (its processes are gone or half gone); cleaning it up"
    cleanup_dir
  fi

  local t0=$SECONDS
  rm -f "$DIR"/*.failed.log
  resolve_binaries
  gen_pki

  local attempt
  for attempt in 1 2 3; do
    TAKEN_PORTS=""
    pick_port ETCD_PORT CERTHOST_ETCD_PORT
    pick_port APISERVER_PORT CERTHOST_APISERVER_PORT
    ETCD_DATA="$(mktemp -d "${TMPDIR:-/tmp}/certhost-etcd.XXXXXXXX")"
    cat > "$STATE" <<EOF
ETCD_DATA='$ETCD_DATA'
ETCD_PORT='$ETCD_PORT'
APISERVER_PORT='$APISERVER_PORT'
BIN_DIR='$BIN_DIR'
EOF
    log "starting etcd on 127.0.0.1:$ETCD_PORT (data in $ETCD_DATA)"
    if start_etcd; then
      log "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
      start_apiserver
      if wait_ready; then
        write_kubeconfig
        if [[ -n "${CERTHOST_WATCH_PID:-}" ]]; then start_watchdog "$CERTHOST_WATCH_PID"; fi
        log "ready in $((SECONDS - t0))s ($("$BIN_DIR/kube-apiserver" --version 2>/dev/null || echo kube-apiserver)); logs in $DIR/*.log"
        log "use it with: export KUBECONFIG=$KUBECONFIG_OUT"
        echo "$KUBECONFIG_OUT"
        return 0
      fi
    fi
    local retry=false
    if [[ -z "${CERTHOST_ETCD_PORT:-}${CERTHOST_APISERVER_PORT:-}" ]] &&
      { log_says_port_busy "$DIR/etcd.log" || log_says_port_busy "$DIR/kube-apiserver.log"; }; then
      retry=true
    fi
    for f in etcd kube-apiserver; do
      if [[ -s "$DIR/$f.log" ]]; then
        log "last lines of $DIR/$f.log:"
        tail -n 15 "$DIR/$f.log" | sed 's/^/    /' >&2
      fi
    done
    # Keep the failed logs next to the fresh ones.
    cp -f "$DIR/etcd.log" "$DIR/etcd.failed.log" 2>/dev/null || true
    cp -f "$DIR/kube-apiserver.log" "$DIR/kube-apiserver.failed.log" 2>/dev/null || true
    cleanup_dir
    if [[ "$retry" == true && $attempt -lt 3 ]]; then
      log "a port was taken meanwhile; retrying with other ports"
      continue
    fi
    die "the control plane did not start (logs: $DIR/etcd.failed.log, $DIR/kube-apiserver.failed.log)"
  done
}

cmd_down() {
  if [[ ! -d "$DIR" ]]; then
    log "nothing to stop ($DIR does not exist)"
    return 0
  fi
  exec 8>"$DIR/.lock"
  flock -w 60 8 || die "another up/down holds $DIR/.lock"
  if [[ ! -f "$STATE" && ! -f "$DIR/etcd.pid" && ! -f "$DIR/kube-apiserver.pid" && ! -f "$DIR/watchdog.pid" ]]; then
    log "nothing to stop in $DIR"
    return 0
  fi
  cleanup_dir
  rm -rf "$PKI"
  log "stopped"
}

# Stops kube-apiserver and starts it again on the same port and etcd (data kept): every watch of every
# client is cut, as in a control-plane upgrade. The operator must recover without a restart.
cmd_restart_apiserver() {
  exec 8>"$DIR/.lock"
  flock -w 60 8 || die "another up/down holds $DIR/.lock"
  running || die "no control plane is running in $DIR"
  # shellcheck disable=SC1090
  source "$STATE"
  local pid
  pid="$(cat "$DIR/kube-apiserver.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  log "kube-apiserver stopped; starting it again on https://127.0.0.1:$APISERVER_PORT"
  start_apiserver
  wait_ready || die "kube-apiserver did not come back (log: $DIR/kube-apiserver.log)"
  log "kube-apiserver is back"
}

cmd_env() {
  if ! running; then
    log "warning: no control plane is running in $DIR (run: hack/local-cluster.sh up)"
  fi
  printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_OUT"
}

cmd_status() {
  if running; then
    echo "running: kube-apiserver https://127.0.0.1:$APISERVER_PORT (pid $(cat "$DIR/kube-apiserver.pid")), etcd 127.0.0.1:$ETCD_PORT (pid $(cat "$DIR/etcd.pid")), kubeconfig $KUBECONFIG_OUT"
    return 0
  fi
  echo "not running ($DIR)"
  return 1
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  restart-apiserver) cmd_restart_apiserver ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
