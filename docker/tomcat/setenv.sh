#!/bin/sh
# Sourced by catalina.sh. server.xml says maxThreads="${REQUEST_THREADS}": this names the property source, in
# lib/hit-counter-tomcat-lib.jar, that answers it from the environment or from the processors the JVM sees.
CATALINA_OPTS="${CATALINA_OPTS:-} -Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE=dev.hitcounter.tomcat.RequestThreadsPropertySource"
export CATALINA_OPTS
