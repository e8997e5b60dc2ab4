#!/bin/sh
# Foreground start (the official image backgrounds the JVM and tails a log file). The
# configuration directory is resolved on the classpath, as the official start.sh does; it comes
# after the jars so the class-data-sharing archive made at build time (bin/train-cds.sh), whose
# classpath is the jars, still matches.
set -e
DEPLOY_DIR=/opt/shardingsphere-proxy
cd "$DEPLOY_DIR"
CDS=""
[ -f "$DEPLOY_DIR/proxy.jsa" ] && CDS="-XX:SharedArchiveFile=$DEPLOY_DIR/proxy.jsa -Xshare:auto"
exec java $JVM_OPTS $CDS -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/./urandom \
  -classpath "$DEPLOY_DIR/lib/*:$DEPLOY_DIR/ext-lib/*:.:$DEPLOY_DIR/conf" \
  org.apache.shardingsphere.proxy.Bootstrap "${PORT:-3307}" /conf/ "$@"
