#!/bin/sh
# The redis image's entrypoint contract (docker-library/redis 7, bookworm), written for this stand-in: a first
# argument that is a flag or a *.conf runs redis-server with it; umask 0022 becomes 0077; then exec. Upstream's
# build patches protected-mode off by default: the same default is given here as an argument, before the user's.
# Not reproduced: the root path (chown + gosu), which a pod under the restricted profile never takes.
set -e
case $1 in -* | *.conf) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  shift
  case $1 in *.conf) conf=$1; shift; set -- redis-server "$conf" --protected-mode no "$@" ;; *) set -- redis-server --protected-mode no "$@" ;; esac
fi
if [ "$(umask)" = 0022 ]; then umask 0077; fi
exec "$@"
