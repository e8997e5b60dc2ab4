#!/bin/bash
# Build-time only: boot the proxy twice, recording the classes it loads: in memory mode until
# it serves (cds/memory), and in cluster mode against a registry that is not there until it
# gives up (cds/cluster: the registry client's classes). Both lists go into one
# class-data-sharing archive that start.sh maps at every boot, so the JVM skips parsing and
# verifying those classes. The archive's classpath is the jars
# only (CDS refuses non-empty directories), which is why start.sh lists the jars first.
set -euo pipefail
DEPLOY_DIR=/opt/shardingsphere-proxy
cd "$DEPLOY_DIR"
JARS="$DEPLOY_DIR/lib/*:$DEPLOY_DIR/ext-lib/*"
# Training boots find their config (/cds/...) and the quiet logback.xml as the image does.
TRAIN_CP="$JARS:$DEPLOY_DIR:$DEPLOY_DIR/conf"
java $JVM_OPTS -XX:DumpLoadedClassList=/tmp/memory.lst -classpath "$TRAIN_CP" \
  org.apache.shardingsphere.proxy.Bootstrap 3307 /cds/memory/ >/tmp/train.log 2>&1 &
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
# Exits by itself (no registry); bounded in case it does not.
timeout 60 java $JVM_OPTS -XX:DumpLoadedClassList=/tmp/cluster.lst -classpath "$TRAIN_CP" \
  org.apache.shardingsphere.proxy.Bootstrap 3307 /cds/cluster/ >>/tmp/train.log 2>&1 || true
# In load order, each line once (the order matters to the lambda-proxy entries).
awk '!seen[$0]++' /tmp/memory.lst /tmp/cluster.lst >/tmp/classes.lst
java -Xshare:dump -XX:SharedClassListFile=/tmp/classes.lst \
  -XX:SharedArchiveFile="$DEPLOY_DIR/proxy.jsa" -classpath "$JARS" >/tmp/dump.log 2>&1 \
  || { cat /tmp/train.log /tmp/dump.log; exit 1; }
rm -f /tmp/*.lst /tmp/train.log /tmp/dump.log
