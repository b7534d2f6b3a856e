#!/bin/sh
# Install what libdvc needs to build and test on Debian, only if missing.
# Usage: scripts/install-deps.sh [--test]
set -eu
# libcurl4-openssl-dev: the example outbox sender (examples/notify); optional for meson
# libmicrohttpd-dev: the example portal server (examples/httpd); optional for meson
# libmagic-dev: media types of uploaded dossier documents, detected from content (required)
# libxmlsec1-dev + libssl-dev: XML-DSig signatures of electronic results and slips (required;
# the demo signs its result); xmlsec1: the independent verifier the demo prints a command for
pkgs="build-essential meson ninja-build pkg-config libsqlite3-dev libcjson-dev libxml2-dev libsodium-dev libcurl4-openssl-dev libmicrohttpd-dev libmagic-dev libxmlsec1-dev libssl-dev xmlsec1"
if [ "${1:-}" = "--test" ]; then
  # check: unit tests; libxml2-utils: xmllint for the schema test;
  # python3 + python3-cffi + pytest: the Python bindings (python3-pandas is
  # optional: their DataFrame test is skipped without it) and CLI checks; python3-aiosmtpd: the SMTP
  # server the outbox sender's test delivers to; python3-matplotlib: the
  # charts of examples/reports (tests/reports_test.sh)
  pkgs="$pkgs check libxml2-utils python3 python3-cffi python3-pytest python3-aiosmtpd python3-matplotlib"
  # the example portal server: curl + wrk (bench/httpd_load.sh), Debian's
  # Chromium for the browser test, Node.js + npm for playwright-core (only
  # when no node is installed: a NodeSource nodejs already bundles npm)
  pkgs="$pkgs curl wrk chromium"
  command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
  # clang + libclang-rt-14-dev: the libFuzzer targets (tests/fuzz) and LeakSanitizer
  pkgs="$pkgs clang libclang-rt-14-dev"
  # the Debian packages (debian/, .ci/debs.sh): debhelper + dh-python, lintian
  pkgs="$pkgs debhelper dh-python python3-all-dev lintian"
  # pip install of the binding (pyproject.toml, .ci/pip.sh): meson-python, venv
  pkgs="$pkgs python3-mesonpy patchelf python3-venv"
  # the PostgreSQL store backend (optional for meson: -Dpostgresql=auto builds
  # it when libpq is found) and a server the suites can run against
  # (scripts/pg-test-server.sh)
  pkgs="$pkgs libpq-dev postgresql"
  # OpenID Connect sign-in's token checks (optional for meson: -Doidc=auto
  # builds them when libcjose is found) and authlib, which makes the oidc
  # suite's keys and tokens
  pkgs="$pkgs libcjose-dev libjansson-dev python3-authlib"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
