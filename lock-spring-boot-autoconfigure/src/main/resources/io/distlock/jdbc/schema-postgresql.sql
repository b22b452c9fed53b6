-- Lock table of the distributed-lock JDBC backend (PostgreSQL). Idempotent: safe to run at every start.
-- One row per lock ever taken; a released lock keeps its row (owner NULL) so its fencing token keeps rising.
CREATE TABLE IF NOT EXISTS distributed_lock (
    id          VARCHAR(64)              NOT NULL PRIMARY KEY, -- SHA-256 (hex) of lock_name, NUL, lock_key
    lock_name   TEXT                     NOT NULL,             -- key prefix + lock name, readable
    lock_key    TEXT                     NOT NULL,             -- evaluated key, '' for a whole-name lock
    owner       VARCHAR(64),                                   -- holder's lease id; NULL when free
    token       BIGINT                   NOT NULL,             -- fencing token, +1 on every acquisition
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,             -- database time
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL              -- database time; 1970 when released
);
