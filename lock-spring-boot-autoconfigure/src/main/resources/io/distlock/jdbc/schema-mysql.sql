-- Lock table of the distributed-lock JDBC backend (MariaDB and MySQL). Idempotent: safe to run at every start.
-- One row per lock ever taken; a released lock keeps its row (owner NULL) so its fencing token keeps rising.
-- Times are UTC (UTC_TIMESTAMP(3)), whatever the session time zone.
CREATE TABLE IF NOT EXISTS distributed_lock (
    id          VARCHAR(64)  NOT NULL PRIMARY KEY, -- SHA-256 (hex) of lock_name, NUL, lock_key
    lock_name   TEXT         NOT NULL,             -- key prefix + lock name, readable
    lock_key    TEXT         NOT NULL,             -- evaluated key, '' for a whole-name lock
    owner       VARCHAR(64),                       -- holder's lease id; NULL when free
    token       BIGINT       NOT NULL,             -- fencing token, +1 on every acquisition
    acquired_at DATETIME(3)  NOT NULL,             -- database time, UTC
    expires_at  DATETIME(3)  NOT NULL              -- database time, UTC; 1970 when released
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
