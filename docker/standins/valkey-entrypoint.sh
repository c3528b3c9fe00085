#!/bin/sh
# Entry point of the valkey stand-in, behaving like the official image's: options alone mean valkey-server,
# and a root start fixes /data ownership and drops to the valkey user.
set -eu

case "${1-}" in
    -* | *.conf) set -- valkey-server "$@" ;;
esac

if [ "${1-}" = valkey-server ]; then
    shift
    # The official image builds Valkey with protected mode off, so that other containers can connect without
    # a password; Debian's build has it on. Passed first, so a --protected-mode from the caller still wins.
    if [ -n "${1-}" ] && [ "${1#-}" = "$1" ]; then
        conf=$1
        shift
        set -- valkey-server "$conf" --protected-mode no "$@"
    else
        set -- valkey-server --protected-mode no "$@"
    fi
    umask 0077
    if [ "$(id -u)" = 0 ]; then
        find . \! -user valkey -exec chown valkey '{}' +
        exec setpriv --reuid=valkey --regid=valkey --init-groups "$@"
    fi
fi

exec "$@"
