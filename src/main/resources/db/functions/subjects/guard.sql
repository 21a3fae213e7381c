-- No event carrying a subject's personal fields commits once the subject is forgotten: checked in the appending
-- transaction itself, whichever store wrote it and whatever that store has cached. Runs only for rows that carry
-- personal fields (the trigger's WHEN), so other appends pay nothing but that test. A forget that commits while
-- such an append is in flight leaves that event under a key that no longer exists: it reads as redacted.
CREATE OR REPLACE FUNCTION temper_store_subject_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    v_subject text := NEW.metadata #>> '{personal,subject}';
    since timestamptz;
    has_key boolean;
BEGIN
    SELECT k.forgotten_at, k.wrapped_key IS NOT NULL INTO since, has_key FROM temper_store_subject_keys k
     WHERE k.tenant = NEW.tenant AND k.subject = v_subject;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'subject % of tenant % has no data key', v_subject, NEW.tenant
            USING ERRCODE = 'TS404', DETAIL = v_subject;
    END IF;
    IF since IS NOT NULL OR NOT has_key THEN
        RAISE EXCEPTION 'subject % of tenant % was forgotten at %', v_subject, NEW.tenant, since
            USING ERRCODE = 'TS410', DETAIL = v_subject, HINT = coalesce(date_part('epoch', since)::text, '');
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS temper_store_subject_guard ON events;
CREATE TRIGGER temper_store_subject_guard BEFORE INSERT ON events
    FOR EACH ROW WHEN (NEW.metadata ? 'personal') EXECUTE FUNCTION temper_store_subject_guard();
