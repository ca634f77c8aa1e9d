# nginxinc/nginx-unprivileged:1.27.5's stand-in: Debian's nginx-light (1.22) with the unprivileged image's layout
# (rootfs/nginx): user nginx 101:101, port 8080, pid and temp paths in /tmp, logs linked to stdout/stderr, the
# default page, CMD nginx -g 'daemon off;', STOPSIGNAL SIGQUIT.
nginx_build() {
  local d=$TMP/nginx
  mkdir -p "$d/etc/nginx/conf.d" "$d/var/log/nginx" "$d/usr/share/nginx/html"
  cp "$HERE/rootfs/nginx/nginx.conf" "$d/etc/nginx/nginx.conf"
  cp "$HERE/rootfs/nginx/default.conf" "$d/etc/nginx/conf.d/default.conf"
  ln -s /dev/stdout "$d/var/log/nginx/access.log"
  ln -s /dev/stderr "$d/var/log/nginx/error.log"
  printf '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1></body></html>\n' \
    >"$d/usr/share/nginx/html/index.html"
  printf '<!DOCTYPE html>\n<html><head><title>Error</title></head>\n<body><h1>An error occurred.</h1></body></html>\n' \
    >"$d/usr/share/nginx/html/50x.html"
  users "$d" nginx:101:101:/nonexistent
  debian_image "$1" "$2" "$d" "{\"User\": \"101\", \"Cmd\": [\"nginx\", \"-g\", \"daemon off;\"], \"StopSignal\": \"SIGQUIT\",
    \"ExposedPorts\": {\"8080/tcp\": {}}, \"Env\": [\"PATH=$DEBIAN_PATH\", \"NGINX_VERSION=1.27.5\"]}"
}
