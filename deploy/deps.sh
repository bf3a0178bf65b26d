# Sourced by demo.sh, test.sh and install.sh: installs the Debian packages sensegate builds and
# tests with (Debian 12 / Raspberry Pi OS bookworm), and checks for a Swift 6 toolchain.
# shellcheck shell=bash

# Three lists, so that a field unit gets only what it runs:
# - runtime: what the installed daemon needs (the .deb's Depends are computed from the binary by
#   dpkg-shlibdeps; this list is what that gives on Debian 12, for reading);
# - build: what compiling it needs, with a Swift toolchain from swift.org;
# - test: the tests' and benchmarks' tools (a broker, schema validators, the packaging checks).
SENSEGATE_RUNTIME_PACKAGES=(libmosquitto1 libssl3 libgpiod2 libi2c0 libyaml-0-2 libsqlite3-0 adduser ca-certificates procps)
SENSEGATE_BUILD_PACKAGES=(pkg-config libmosquitto-dev libssl-dev libgpiod-dev libi2c-dev libyaml-dev libsqlite3-dev dpkg-dev)
SENSEGATE_TEST_PACKAGES=(mosquitto mosquitto-clients openssl python3 python3-jsonschema python3-lxml python3-jinja2
                         lintian debootstrap prometheus-node-exporter tmux iproute2 nftables dmsetup e2fsprogs)

# sensegate_install_packages [build|test|all]: installs what is missing of the build list, the
# test list, or both (all, the default).
sensegate_install_packages() {
    local want=()
    case "${1:-all}" in
    build) want=("${SENSEGATE_BUILD_PACKAGES[@]}") ;;
    test) want=("${SENSEGATE_TEST_PACKAGES[@]}") ;;
    *) want=("${SENSEGATE_BUILD_PACKAGES[@]}" "${SENSEGATE_TEST_PACKAGES[@]}") ;;
    esac
    local missing=()
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "sensegate: installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "sensegate: need root or sudo to install ${missing[*]}" >&2; return 1; }
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # The mosquitto package may start a system broker on port 1883; the tests and the demo do not
    # use it: they start private brokers on free loopback ports.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

sensegate_check_swift() {
    if ! command -v swift >/dev/null; then
        cat >&2 <<'MSG'
sensegate: no Swift toolchain on PATH. Debian does not package Swift 6: install it from
swift.org (Linux, Debian 12, x86_64 or aarch64) or with swiftly, then run this again.
MSG
        return 1
    fi
    local v
    v=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9]*\)\..*/\1/p' | head -n1)
    if [ -z "$v" ] || [ "$v" -lt 6 ]; then
        echo "sensegate: Swift 6 or later is needed; found: $(swift --version 2>&1 | head -n1)" >&2
        return 1
    fi
}

# A TCP port on 127.0.0.1 nothing listens on.
sensegate_free_port() {
    local p
    for p in $(shuf -i 20000-60000 -n 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

# Waits up to 5 s until something listens on 127.0.0.1:PORT (a broker just started).
sensegate_wait_listening() {
    local port=$1
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
    echo "sensegate: nothing listens on 127.0.0.1:$port after 5 s (did mosquitto start?)" >&2
    return 1
}
