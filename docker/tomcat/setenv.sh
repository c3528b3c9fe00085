#!/bin/sh
# Sourced by catalina.sh. server.xml says maxThreads="${REQUEST_THREADS}": this names the property source, in
# lib/hit-counter-tomcat-lib.jar, that answers it from the environment or from the processors the JVM sees.
CATALINA_OPTS="${CATALINA_OPTS:-} -Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE=dev.hitcounter.tomcat.RequestThreadsPropertySource"
export CATALINA_OPTS

# SCHED_BATCH=true (the default): this shell, and so the JVM that catalina.sh execs from it, runs under Linux's
# SCHED_BATCH policy, in which a thread that wakes does not preempt the one running. Tomcat's poller, its request
# threads and the view coalescer wake each other for every batch of views; under the default policy each wake-up
# preempted the waker on a busy core (docs/benchmarks.md, "Fewer hand-offs per view"). No privilege is needed.
case "${SCHED_BATCH:-true}" in
  true)
    if ! chrt --batch --pid 0 "$$" 2>/dev/null; then
      echo "hit-counter: SCHED_BATCH=true, but chrt could not set the SCHED_BATCH policy; running under the default policy" >&2
    fi
    ;;
  false) ;;
  *)
    echo "hit-counter cannot start: SCHED_BATCH=$SCHED_BATCH is invalid: expected true or false" >&2
    exit 1
    ;;
esac
