// Build-time only: one client session against a training boot (bin/train-cds.sh), so the
// class-data-sharing archive also holds what a node loads for its first client: MySQL
// authentication, command dispatch, SQL and DistSQL parsing, a data source's connection pool.
// Runs on the image's own Groovy and MySQL driver jars. A statement a release does not support
// is reported and skipped: the archive is a start-up cache, never a behaviour.
import java.sql.DriverManager

def url = 'jdbc:mysql://127.0.0.1:3307/?useSSL=false&connectTimeout=5000&socketTimeout=30000'
def statements = [
    'SHOW DATABASES',
    'CREATE DATABASE cds_db',
    // Refused at once (nothing listens on port 1): loads the pool and driver, persists nothing.
    // 5.1 spells them one way, 5.5 the other; each release refuses the other's at parse time.
    "ADD RESOURCE ds_0 (HOST=127.0.0.1, PORT=1, DB=cds, USER=cds, PASSWORD='cds')",
    "REGISTER STORAGE UNIT ds_0 (HOST=127.0.0.1, PORT=1, DB=cds, USER=cds, PASSWORD='cds')",
    'SHOW SCHEMA RESOURCES FROM cds_db',
    'SHOW STORAGE UNITS FROM cds_db',
    'SHOW SHARDING TABLE RULES FROM cds_db',
    'EXPORT SCHEMA CONFIG FROM cds_db',
    'EXPORT DATABASE CONFIGURATION FROM cds_db',
    'SHOW INSTANCE LIST',
    'SHOW COMPUTE NODES',
    'DROP DATABASE IF EXISTS cds_db',
]
DriverManager.getConnection(url, 'cds', 'cds').withCloseable { conn ->
    statements.each { sql ->
        if (sql.startsWith('ADD RESOURCE') || sql.startsWith('REGISTER STORAGE UNIT')) {
            conn.createStatement().execute('USE cds_db')
        }
        try {
            conn.createStatement().execute(sql)
            println "train-cds client: ok: ${sql.take(40)}"
        } catch (java.sql.SQLException e) {
            println "train-cds client: refused: ${sql.take(40)}: ${e.message?.take(120)}"
        }
    }
}
