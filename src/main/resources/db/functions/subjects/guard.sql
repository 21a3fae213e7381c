-- No event or snapshot carrying a subject's personal data commits once the subject is forgotten: checked in the
-- writing transaction itself, whichever store wrote it and whatever that store has cached. The triggers run only
-- for rows that mark a subject (their WHEN), so other writes pay nothing but that test. A forget that commits while
-- such a write is in flight leaves its row under a key that no longer exists: it reads as redacted.
CREATE OR REPLACE FUNCTION temper_store_check_subject(p_tenant text, p_subject text)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    since timestamptz;
    has_key boolean;
BEGIN
    SELECT k.forgotten_at, k.wrapped_key IS NOT NULL INTO since, has_key FROM temper_store_subject_keys k
     WHERE k.tenant = p_tenant AND k.subject = p_subject;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'subject % of tenant % has no data key', p_subject, p_tenant
            USING ERRCODE = 'TS404', DETAIL = p_subject;
    END IF;
    IF since IS NOT NULL OR NOT has_key THEN
        RAISE EXCEPTION 'subject % of tenant % was forgotten at %', p_subject, p_tenant, since
            USING ERRCODE = 'TS410', DETAIL = p_subject, HINT = coalesce(date_part('epoch', since)::text, '');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION temper_store_subject_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM temper_store_check_subject(NEW.tenant, NEW.metadata #>> '{personal,subject}');
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS temper_store_subject_guard ON events;
CREATE TRIGGER temper_store_subject_guard BEFORE INSERT ON events
    FOR EACH ROW WHEN (NEW.metadata ? 'personal') EXECUTE FUNCTION temper_store_subject_guard();
