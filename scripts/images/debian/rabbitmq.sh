# rabbitmq:4.1.6: Debian's rabbitmq-server (3.10.8 in bookworm, on Debian's Erlang 25: no reachable registry has
# 4.1; every setting and command the MessageBroker preset uses exists in 3.10), laid out as upstream's image: user
# rabbitmq 999:999 with HOME and data in /var/lib/rabbitmq, /etc/rabbitmq/conf.d read by the server (upstream's
# 10-defaults.conf), the rabbitmq_prometheus plugin enabled (port 15692), the server's own scripts on PATH (not
# Debian's wrappers, which log to files and switch users), the entrypoint contract (rootfs/rabbitmq), CMD
# rabbitmq-server.
rabbitmq_build() {
  local d=$TMP/rabbitmq
  mkdir -p "$d/usr/local/bin" "$d/etc/rabbitmq/conf.d" "$d/var/lib/rabbitmq" "$d/var/log/rabbitmq"
  cp "$HERE/rootfs/rabbitmq/docker-entrypoint.sh" "$d/usr/local/bin/"
  printf '[rabbitmq_prometheus].\n' >"$d/etc/rabbitmq/enabled_plugins"
  printf '%s\n' 'loopback_users.guest = false' 'listeners.tcp.default = 5672' >"$d/etc/rabbitmq/conf.d/10-defaults.conf"
  users "$d" rabbitmq:999:999:/var/lib/rabbitmq
  chown -R 999:999 "$d/etc/rabbitmq" "$d/var/lib/rabbitmq" "$d/var/log/rabbitmq"
  chmod 1777 "$d/var/lib/rabbitmq" "$d/var/log/rabbitmq"
  debian_image "$1" "$2" "$d" "{\"Entrypoint\": [\"docker-entrypoint.sh\"], \"Cmd\": [\"rabbitmq-server\"],
    \"ExposedPorts\": {\"5672/tcp\": {}, \"15692/tcp\": {}}, \"Volumes\": {\"/var/lib/rabbitmq\": {}},
    \"Env\": [\"PATH=/usr/lib/rabbitmq/bin:$DEBIAN_PATH\", \"HOME=/var/lib/rabbitmq\",
      \"RABBITMQ_DATA_DIR=/var/lib/rabbitmq\", \"RABBITMQ_VERSION=4.1.6\", \"LANG=C.UTF-8\", \"LC_ALL=C.UTF-8\"]}"
}
