# locustio/locust: locust from PyPI at the pinned version in a venv at /opt/venv made by Debian's python3 (3.11),
# laid out as upstream's image: user locust 1000:1000 with home /home/locust (WORKDIR), ENTRYPOINT locust,
# ports 8089 and 5557.
locust_build() {
  local d=$TMP/locust root
  root=$(debian_chroot)
  chroot "$root" /usr/bin/python3 -m venv /opt/venv
  chroot "$root" /opt/venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check "locust==$LOCUST_VERSION"
  mkdir -p "$d/opt" "$d/home/locust"
  mv "$root/opt/venv" "$d/opt/venv"
  users "$d" locust:1000:1000:/home/locust
  chown 1000:1000 "$d/home/locust"
  debian_image "$1" "$2" "$d" "{\"User\": \"locust\", \"WorkingDir\": \"/home/locust\", \"Entrypoint\": [\"locust\"],
    \"ExposedPorts\": {\"8089/tcp\": {}, \"5557/tcp\": {}},
    \"Env\": [\"PATH=/opt/venv/bin:$DEBIAN_PATH\", \"PYTHONUNBUFFERED=1\"]}"
}
