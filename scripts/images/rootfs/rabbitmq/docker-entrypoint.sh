#!/bin/sh
# The rabbitmq image's entrypoint contract (docker-library/rabbitmq 4.1, ubuntu), written for this stand-in: the
# deprecated RABBITMQ_* variables of the old entrypoint are refused (configuration goes in conf.d), long node names
# are used when the long and short host names differ, and the server execs the Erlang VM itself
# (RUNNING_UNDER_SYSTEMD), so that the VM gets the container's signals. Not reproduced: the root path (chown +
# gosu), which a pod under the restricted profile never takes.
set -e
for old in RABBITMQ_DEFAULT_PASS_FILE RABBITMQ_DEFAULT_USER_FILE RABBITMQ_SSL_CERTFILE RABBITMQ_SSL_KEYFILE \
  RABBITMQ_SSL_CACERTFILE RABBITMQ_VM_MEMORY_HIGH_WATERMARK; do
  if eval "[ -n \"\${$old:-}\" ]"; then
    echo "error: $old is set but deprecated; use a configuration file" >&2
    exit 1
  fi
done
if [ -z "${RABBITMQ_USE_LONGNAME:-}" ] && [ "$(hostname)" != "$(hostname -s)" ]; then
  export RABBITMQ_USE_LONGNAME=true
fi
export RUNNING_UNDER_SYSTEMD=true
exec "$@"
