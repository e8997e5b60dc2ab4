#!/bin/bash
# Build-time only: boot ZooKeeper once, serve one client session, and record the classes the
# server loaded into a class-data-sharing archive that the entrypoint maps at every boot, so a
# test's registry skips parsing and verifying them. The archive's classpath is the jars only
# (CDS refuses non-empty directories), which is why the entrypoint lists the jars first.
set -euo pipefail
export ZOO_CONF_DIR=/tmp/cds-conf ZOO_DATA_DIR=/tmp/cds-data
JVMFLAGS="$JVMFLAGS -XX:DumpLoadedClassList=/tmp/zk.lst" /docker-entrypoint.sh >/tmp/zk.log 2>&1 &
pid=$!
up=no
for _ in $(seq 1 600); do
  # Bounded read: a `srvr` that comes before the server's database is set up throws a
  # NullPointerException while closing the socket (ZooKeeper's ServerCnxn), which then stays
  # open, and an unbounded `cat` hung the build.
  out=$( (exec 3<>/dev/tcp/127.0.0.1/2181 && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  case "$out" in *"Zookeeper version"*) up=yes; break ;; esac
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ "$up" = yes ] || { echo "train-cds: ZooKeeper did not start"; cat /tmp/zk.log; exit 1; }
# One session that writes, reads and watches, as a proxy does.
timeout 60 java -cp "$ZOO_JARS" org.apache.zookeeper.ZooKeeperMain \
  -server 127.0.0.1:2181 create /cds cds >/tmp/client.log 2>&1 || cat /tmp/client.log
timeout 60 java -cp "$ZOO_JARS" org.apache.zookeeper.ZooKeeperMain \
  -server 127.0.0.1:2181 get -w /cds >>/tmp/client.log 2>&1 || cat /tmp/client.log
kill -TERM "$pid"
wait "$pid" || true
java -Xshare:dump -XX:SharedClassListFile=/tmp/zk.lst -XX:SharedArchiveFile=/zookeeper.jsa \
  -cp "$ZOO_JARS" >/tmp/dump.log 2>&1 || { cat /tmp/dump.log; exit 1; }
rm -rf /tmp/zk.lst /tmp/zk.log /tmp/client.log /tmp/dump.log /tmp/cds-conf /tmp/cds-data
