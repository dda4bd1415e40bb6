#!/usr/bin/env bash
# Installs (from Debian's packages, when missing) and starts the servers the tests need:
# PostgreSQL on 127.0.0.1:5432 and the redis-server (and redis-cli), nginx and caddy binaries
# (tests start their own Redis, nginx and Caddy processes on free ports), and chromium (the web
# pages' browser test drives it headless). Safe to run again: it only acts on what is missing.
set -euo pipefail

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
# nginx lives in /usr/sbin, which a non-root PATH may lack.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v caddy >/dev/null || need_apt+=(caddy)
command -v chromium >/dev/null || need_apt+=(chromium fonts-liberation)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: missing ${need_apt[*]}; run as root or install them: apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  echo "test-deps: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The tests run nginx and caddy themselves; the packages' system services are not needed and
  # would hold port 80. Stop and disable those this run installed (where a service manager
  # started them at all).
  for svc in nginx caddy; do
    case " ${need_apt[*]} " in *" $svc "*)
      if [ -d /run/systemd/system ]; then
        systemctl disable --now "$svc" >/dev/null 2>&1 || true
      else
        service "$svc" stop >/dev/null 2>&1 || true
      fi
    esac
  done
fi

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_ready; then
  echo "test-deps: starting PostgreSQL"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -z "$version" ]; then
    echo "test-deps: PostgreSQL is installed but has no cluster under /etc/postgresql" >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "test-deps: PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
fi
# Tests connect as postgres over TCP; make sure that works without a password.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "test-deps: cannot connect as postgres@127.0.0.1:5432; set AUTHGATE_TEST_POSTGRES_URL to a superuser URL" >&2
  [ -n "${AUTHGATE_TEST_POSTGRES_URL:-}" ] || exit 1
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
echo "test-deps: ready (redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), $(psql --version)," \
  "$("$nginx_bin" -v 2>&1), caddy $(caddy version | cut -d' ' -f1))"
