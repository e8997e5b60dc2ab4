#!/bin/bash
# Build-time only: boot the proxy once (memory mode, bin/cds config), record the classes it
# loads, and dump them into a class-data-sharing archive that start.sh maps at every boot:
# the JVM then skips parsing and verifying ~3,600 classes. The archive's classpath is the jars
# only (CDS refuses non-empty directories), which is why start.sh lists the jars first.
set -euo pipefail
DEPLOY_DIR=/opt/shardingsphere-proxy
cd "$DEPLOY_DIR"
JARS="$DEPLOY_DIR/lib/*:$DEPLOY_DIR/ext-lib/*"
java $JVM_OPTS -XX:DumpLoadedClassList=/tmp/classes.lst -classpath "$JARS:$DEPLOY_DIR" \
  org.apache.shardingsphere.proxy.Bootstrap 3307 /cds/ >/tmp/train.log 2>&1 &
pid=$!
up=no
for _ in $(seq 1 600); do
  # The server greeting proves the frontend is up (and loads the handshake classes).
  if (exec 3<>/dev/tcp/127.0.0.1/3307 && head -c 4 <&3 >/dev/null) 2>/dev/null; then
    up=yes
    break
  fi
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
[ "$up" = yes ] || { echo "train-cds: the proxy did not start"; cat /tmp/train.log; exit 1; }
java -Xshare:dump -XX:SharedClassListFile=/tmp/classes.lst \
  -XX:SharedArchiveFile="$DEPLOY_DIR/proxy.jsa" -classpath "$JARS" >/tmp/dump.log 2>&1 \
  || { cat /tmp/train.log /tmp/dump.log; exit 1; }
rm -f /tmp/classes.lst /tmp/train.log /tmp/dump.log
