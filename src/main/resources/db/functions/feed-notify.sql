-- Wakes feed readers that are caught up: every INSERT statement on events notifies the channel once, at commit
-- (PostgreSQL folds identical notifications of one transaction into one). The payload is empty: a reader only
-- learns that something was written and reads its feed; a lost notification only delays it until its next poll.
CREATE OR REPLACE FUNCTION temper_store_notify_feed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('temper_store_feed', '');
    RETURN NULL;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'temper_store_feed_notify'
                                              AND tgrelid = 'events'::regclass) THEN
        CREATE TRIGGER temper_store_feed_notify AFTER INSERT ON events
            FOR EACH STATEMENT EXECUTE FUNCTION temper_store_notify_feed();
    END IF;
END
$$
