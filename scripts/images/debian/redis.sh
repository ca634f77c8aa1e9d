# redis:7.4.0: Debian's redis-server and redis-tools (7.0: no reachable registry has 7.4), laid out as upstream's
# image: user redis 999:999 (the image itself runs as root, as upstream's, which steps down with gosu), /data owned by it (WORKDIR), the entrypoint contract (rootfs/redis), CMD redis-server.
redis_build() {
  local d=$TMP/redis
  mkdir -p "$d/usr/local/bin" "$d/data"
  cp "$HERE/rootfs/redis/docker-entrypoint.sh" "$d/usr/local/bin/"
  users "$d" redis:999:999:/home/redis
  chown 999:999 "$d/data"
  debian_image "$1" "$2" "$d" "{\"WorkingDir\": \"/data\", \"Entrypoint\": [\"docker-entrypoint.sh\"],
    \"Cmd\": [\"redis-server\"], \"ExposedPorts\": {\"6379/tcp\": {}}, \"Volumes\": {\"/data\": {}}, \"Env\": [\"PATH=$DEBIAN_PATH\"]}"
}
