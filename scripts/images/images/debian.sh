# The Debian images (postgres, redis, mongo's stand-in, nginx, locust, rabbitmq, kafka) share one base layer: Debian
# bookworm's essential set plus every Debian package those seven need (kafka: the OpenJDK 17 JRE), and python3-pika,
# the e2e's AMQP client in the probers' image (mmdebstrap, from the Debian archive), so a node's containerd unpacks it once. Each image adds a layer of its own: its users, entrypoint, config and program.
# The price: each Debian image also carries the others' packages (none of them is started or on a path the
# image's contract names).
DEBIAN_PACKAGES=(ca-certificates tzdata locales libnss-wrapper xz-utils zstd postgresql-client-15 redis-server redis-tools
  nginx-light python3 python3-venv nodejs rabbitmq-server python3-pika openjdk-17-jre-headless)

debian_base() {
  local out=$OUT/debian-base.tar stamp
  # Only what goes into the base: a change elsewhere in this file must not cost a new base (about 4 min).
  stamp="$DEBIAN_SUITE ${DEBIAN_PACKAGES[*]} en_US.UTF-8 man1"
  if [[ -f $out && "$(cat "$CACHE/stamps/image-debian-base" 2>/dev/null)" == "$stamp" ]]; then return; fi
  echo "== Debian base layer ($DEBIAN_SUITE, mmdebstrap; about 4 min cold)"
  local IFS=,
  mmdebstrap --variant=essential --include="${DEBIAN_PACKAGES[*]}" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --setup-hook='mkdir -p "$1"/usr/share/man/man1' \
    --customize-hook='chroot "$1" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8' \
    --customize-hook='rm -f "$1"/etc/resolv.conf "$1"/etc/hostname' \
    "$DEBIAN_SUITE" "$OUT/debian-base.part.tar" >"$OUT/debian-base.log" 2>&1 || { tail -20 "$OUT/debian-base.log" >&2; exit 1; }
  mv "$OUT/debian-base.part.tar" "$out"
  echo "$stamp" >"$CACHE/stamps/image-debian-base"
}

# debian_image OUT REF DIR CONFIG: an image of the Debian base layer plus one layer made of DIR.
debian_image() {
  oci_layer "$3" "$TMP/layer.tar"
  oci_image "$1" "$2" <(echo "$4") "$OUT/debian-base.tar" "$TMP/layer.tar"
  rm -rf "$3" "$TMP/layer.tar"
}

# debian_stamp VERSION: an image's stamp: its version, the base's, and the rootfs files it copies
# (Every file under rootfs/, at any depth: kafka's are in bin/ and config/.)
debian_stamp() {
  echo "$1 $(cat "$CACHE/stamps/image-debian-base") $(hash_of "$HERE"/debian/*.sh $(find "$HERE"/rootfs -type f | sort))"
}

# debian_chroot: the base unpacked into $TMP/debian-root, to run its own python3 or node (a venv must be made by
# the python that runs it).
debian_chroot() {
  local root=$TMP/debian-root
  if [[ ! -d $root ]]; then
    mkdir -p "$root"
    tar -xf "$OUT/debian-base.tar" -C "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # pip inside reaches PyPI as this machine does (its proxy's CA, if any); only the venv is taken out.
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  echo "$root"
}

DEBIAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

for f in "$HERE"/debian/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

image_debian() {
  debian_base
  image postgres "postgres:16.4" "$(debian_stamp "$EMBEDDED_POSTGRES_VERSION $PGSERVER_VERSION")" postgres_build
  image redis "redis:7.4.0" "$(debian_stamp redis)" redis_build
  image mongo "mongo:7.0.14" "$(debian_stamp "$FERRETDB_VERSION $MONGOSH_VERSION")" mongo_build
  image nginx "nginxinc/nginx-unprivileged:1.27.5" "$(debian_stamp nginx)" nginx_build
  image locust "locustio/locust:$LOCUST_VERSION" "$(debian_stamp "$LOCUST_VERSION")" locust_build
  image rabbitmq "rabbitmq:4.1.6" "$(debian_stamp rabbitmq)" rabbitmq_build
  image kafka "apache/kafka:$KAFKA_VERSION" "$(debian_stamp "$KAFKA_VERSION $KAFKA_LOG4J_VERSION")" kafka_build
}
