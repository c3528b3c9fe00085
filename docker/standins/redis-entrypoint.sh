#!/bin/sh
# Entry point of the redis stand-in, behaving like the official image's: options alone mean redis-server,
# and a root start fixes /data ownership and drops to the redis user.
set -eu

case "${1-}" in
    -* | *.conf) set -- redis-server "$@" ;;
esac

if [ "${1-}" = redis-server ]; then
    shift
    # The official image builds Redis with protected mode off, so that other containers can connect without
    # a password; Debian's build has it on. Passed first, so a --protected-mode from the caller still wins.
    if [ -n "${1-}" ] && [ "${1#-}" = "$1" ]; then
        conf=$1
        shift
        set -- redis-server "$conf" --protected-mode no "$@"
    else
        set -- redis-server --protected-mode no "$@"
    fi
    umask 0077
    if [ "$(id -u)" = 0 ]; then
        find . \! -user redis -exec chown redis '{}' +
        exec setpriv --reuid=redis --regid=redis --init-groups "$@"
    fi
fi

exec "$@"
