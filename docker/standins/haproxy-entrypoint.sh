#!/bin/sh
# Entry point of the haproxy stand-in, behaving like the official image's: options alone mean haproxy, and
# haproxy runs in the foreground in master-worker mode, so that a reload (SIGUSR2) or a stop (SIGUSR1) reaches it.
set -eu

case "${1-}" in
    -*) set -- haproxy "$@" ;;
esac

if [ "${1-}" = haproxy ]; then
    shift
    set -- haproxy -W -db "$@"
fi

exec "$@"
