#!/bin/bash
# Build-time only: boot the proxy twice, recording the classes it loads until it has served one
# client session (cds/client.groovy): in memory mode (cds/memory), and in cluster mode joining a
# ZooKeeper server on loopback (cds/cluster). That server is the one in the proxy's own
# zookeeper jar, plus train-lib's two jars; without them (a distribution's image) the cluster
# boot gives up on the registry, which still records the registry client's classes. Both lists
# go into one class-data-sharing archive that start.sh maps at every boot, so the JVM skips
# parsing and verifying those classes. The archive's classpath is the jars only (CDS refuses
# non-empty directories), which is why start.sh lists the jars first.
# $1: the engine line (5.1 or 5.5), which picks the training configurations under cds/.
set -euo pipefail
LINE=${1:?usage: train-cds.sh 5.1|5.5}
DEPLOY_DIR=/opt/shardingsphere-proxy
cd "$DEPLOY_DIR"
JARS="$DEPLOY_DIR/lib/*:$DEPLOY_DIR/ext-lib/*"
# Training boots find their config (/cds/<line>/...) and the quiet logback.xml as the image does.
TRAIN_CP="$JARS:$DEPLOY_DIR:$DEPLOY_DIR/conf"

# Succeeds once probe $1 does; fails once process $2 has exited or after 60 s.
until_up() {
  local probe=$1 pid=$2
  for _ in $(seq 1 600); do
    "$probe" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# Reads are bounded (2 s): a server that accepts and then neither answers nor closes (ZooKeeper
# asked `srvr` before its database is set up does so) must not hang the build.
proxy_greets() { (exec 3<>/dev/tcp/127.0.0.1/3307 && timeout 2 head -c 4 <&3 >/dev/null) 2>/dev/null; }
zookeeper_answers() {
  local out
  out=$( (exec 3<>/dev/tcp/127.0.0.1/2181 && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  case "$out" in *"Zookeeper version"*) return 0 ;; *) return 1 ;; esac
}

# $1: config folder under /cds, $2: class list to write. Fails only when $3 is "must".
train() {
  java $JVM_OPTS -XX:DumpLoadedClassList="$2" -classpath "$TRAIN_CP" \
    org.apache.shardingsphere.proxy.Bootstrap 3307 "/cds/$LINE/$1/" >>/tmp/train.log 2>&1 &
  local pid=$! up=yes
  until_up proxy_greets "$pid" || up=no
  if [ "$up" = yes ]; then
    # Best effort: a distribution's image may lack Groovy or the MySQL driver.
    timeout 60 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -classpath "$JARS" \
      groovy.ui.GroovyMain "$DEPLOY_DIR/cds/client.groovy" || echo "train-cds: no client session"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  echo "train-cds: $1 boot served: $up"
  if [ "$up" = no ] && [ "${3:-}" = must ]; then
    echo "train-cds: the proxy did not start"
    cat /tmp/train.log
    exit 1
  fi
}

train memory /tmp/memory.lst must

mkdir -p /tmp/zk
java -Xmx128m -XX:+UseSerialGC -cp "$DEPLOY_DIR/lib/*:$DEPLOY_DIR/train-lib/*" \
  org.apache.zookeeper.server.ZooKeeperServerMain 2181 /tmp/zk >/tmp/zk.log 2>&1 &
zk=$!
until_up zookeeper_answers "$zk" || echo "train-cds: no ZooKeeper server on loopback; training without one"
train cluster /tmp/cluster.lst
kill -TERM "$zk" 2>/dev/null || true
wait "$zk" || true

# In load order, each line once (the order matters to the lambda-proxy entries).
awk '!seen[$0]++' /tmp/memory.lst /tmp/cluster.lst >/tmp/classes.lst
java -Xshare:dump -XX:SharedClassListFile=/tmp/classes.lst \
  -XX:SharedArchiveFile="$DEPLOY_DIR/proxy.jsa" -classpath "$JARS" >/tmp/dump.log 2>&1 \
  || { cat /tmp/train.log /tmp/dump.log; exit 1; }
rm -rf /tmp/*.lst /tmp/train.log /tmp/dump.log /tmp/zk /tmp/zk.log "$DEPLOY_DIR/train-lib"
