#!/usr/bin/env bash
# Makes sure the local PostgreSQL and NATS (JetStream) servers that the cluster tests use are running; starts them
# with the machine's own commands when they are not (they normally are: the machine starts them at boot).
set -uo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 5432; then
  echo "PostgreSQL is not listening on 5432; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
if ! port_open 4222; then
  echo "NATS is not listening on 4222; starting it with JetStream"
  if command -v nats-server >/dev/null 2>&1; then
    start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  fi
fi
for _ in $(seq 1 50); do
  if port_open 5432 && port_open 4222; then exit 0; fi
  sleep 0.2
done
echo "warning: PostgreSQL or NATS is still not reachable; the cluster tests will fail and say why" >&2
exit 0
