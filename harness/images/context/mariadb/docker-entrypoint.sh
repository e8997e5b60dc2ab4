#!/bin/sh
# Honours the official image's MARIADB_USER / MARIADB_PASSWORD / MARIADB_DATABASE /
# MARIADB_ROOT_PASSWORD (and MYSQL_* twins) through an init file applied at every start.
set -e
USER_NAME="${MARIADB_USER:-${MYSQL_USER:-}}"
USER_PASS="${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}"
DB_NAME="${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}"
ROOT_PASS="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"
INIT=/run/mysqld/init.sql
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
: > "$INIT"
if [ -n "$ROOT_PASS" ]; then
  echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$ROOT_PASS';" >> "$INIT"
fi
if [ -n "$DB_NAME" ]; then
  echo "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`;" >> "$INIT"
fi
if [ -n "$USER_NAME" ]; then
  echo "CREATE USER IF NOT EXISTS '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASS';" >> "$INIT"
  echo "ALTER USER '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASS';" >> "$INIT"
  echo "GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'%' WITH GRANT OPTION;" >> "$INIT"
fi
chown mysql:mysql "$INIT"; chmod 600 "$INIT"
exec mariadbd --user=mysql --bind-address=0.0.0.0 --skip-name-resolve \
  --innodb-buffer-pool-size=64M --performance-schema=OFF --init-file="$INIT" "$@"
