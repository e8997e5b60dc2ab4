#!/bin/sh
set -e
mkdir -p "$ZOO_CONF_DIR" "$ZOO_DATA_DIR"
if [ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]; then
  cat > "$ZOO_CONF_DIR/zoo.cfg" <<CFG
dataDir=$ZOO_DATA_DIR
clientPort=2181
tickTime=$ZOO_TICK_TIME
initLimit=5
syncLimit=2
maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS
admin.enableServer=false
4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST
CFG
fi
# ZOO_JARS is ZooKeeper's jar (its manifest lists its dependencies) and slf4j's log4j binding,
# so the server logs to the console through /etc/zookeeper/conf/log4j.properties; with every jar
# in /usr/share/java, slf4j-nop bound first and the server logged nothing. The jars come before
# the configuration folder so the archive made at build time (train-cds.sh), whose classpath is
# the jars, still matches. Log4j's JMX beans are left out: nothing reads them, and registering
# them took about 0.1 s of a test registry's start-up.
CDS=""
[ -f /zookeeper.jsa ] && CDS="-XX:SharedArchiveFile=/zookeeper.jsa -Xshare:auto"
exec java $JVMFLAGS $CDS -Dzookeeper.log.dir=/tmp -Dzookeeper.root.logger=INFO,CONSOLE \
  -Dzookeeper.jmx.log4j.disable=true \
  -cp "$ZOO_JARS:/etc/zookeeper/conf" \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOO_CONF_DIR/zoo.cfg"
