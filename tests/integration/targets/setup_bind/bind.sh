# shellcheck shell=bash
# Start a throw-away BIND 9 primary for one integration target. Source it from a target's runme.sh, then call:
#   start_bind ZONE[=RECORDS_FILE] [ZONE[=RECORDS_FILE]...]
# Each ZONE is a primary zone with a minimal SOA/NS (plus the zone-file lines of RECORDS_FILE, relative names allowed)
# that the generated hmac-sha256 TSIG key may update (allow-update). named runs as `named -g` on a free 127.0.0.1
# port in a temporary directory; start_bind returns once it answers for every zone, and exports
#   BIND_SERVER (127.0.0.1), BIND_PORT, BIND_KEY_NAME, BIND_KEY_SECRET, BIND_KEY_ALGORITHM, BIND_DIR, BIND_PID,
#   BIND_OTHER_KEY_NAME, BIND_OTHER_KEY_SECRET (a key named knows but that may update nothing: a refused update).
# stop_bind stops named (SIGTERM) and removes BIND_DIR. start_bind sets `trap stop_bind EXIT` only when no EXIT trap
# is set yet. A target that also uses setup_emulator (whose start_emulator sets its own EXIT trap) must set
#   trap 'stop_bind; stop_emulator' EXIT
# itself, after starting both.
# Also: bind_updates (UPDATE requests named has answered so far) and bind_serial ZONE (the served SOA serial).
# The same server is available to pytest as bind_server.BindServer.

BIND_SETUP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_bind_python() {
    "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" "$BIND_SETUP_DIR/bind_server.py" "$@"
}

stop_bind() {
    if [[ -n ${BIND_PID:-} ]] && kill -0 "$BIND_PID" 2>/dev/null; then
        kill -TERM "$BIND_PID"
        for _ in $(seq 100); do
            kill -0 "$BIND_PID" 2>/dev/null || break
            sleep 0.05
        done
    fi
    if [[ -n ${BIND_DIR:-} ]]; then
        rm -rf "$BIND_DIR"
    fi
    BIND_PID=
}

start_bind() {
    local exports xtrace
    (($# > 0)) || { echo "usage: start_bind ZONE[=RECORDS_FILE]..." >&2; return 1; }
    BIND_DIR=$(mktemp -d)
    # The exports hold the TSIG secrets: keep them out of a `set -x` trace.
    xtrace=$(set +o | grep xtrace)
    set +x
    exports=$(_bind_python start "$BIND_DIR" "$@") || { rm -rf "$BIND_DIR"; eval "$xtrace"; return 1; }
    eval "$exports"
    eval "$xtrace"
    if [[ -z $(trap -p EXIT) ]]; then
        trap stop_bind EXIT
    fi
}

bind_updates() {
    _bind_python updates "$BIND_DIR"
}

bind_serial() {
    _bind_python serial "$BIND_DIR" "$1"
}
