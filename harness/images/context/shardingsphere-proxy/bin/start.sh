#!/bin/sh
# Foreground start (the official image backgrounds the JVM and tails a log file). The
# configuration directory is resolved on the classpath, as the official start.sh does.
set -e
DEPLOY_DIR=/opt/shardingsphere-proxy
cd "$DEPLOY_DIR"
exec java $JVM_OPTS -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/./urandom \
  -classpath ".:$DEPLOY_DIR/conf:$DEPLOY_DIR/lib/*:$DEPLOY_DIR/ext-lib/*" \
  org.apache.shardingsphere.proxy.Bootstrap "${PORT:-3307}" /conf/ "$@"
