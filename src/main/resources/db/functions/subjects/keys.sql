-- Data keys of data subjects (docs/security.md, "Forgetting a person"): one AES-256 key per tenant and subject,
-- stored only wrapped by a master key (AES-GCM, bound to tenant, subject and master key version), so neither this
-- table nor a dump of it reveals a key without the master key. Forgetting a subject removes its key for good and
-- keeps the row, key-less, so that every later append for it is refused (guard.sql) and reads say since when.

-- The keys of some subjects of a tenant, for reading: a forgotten subject's row has no key, only its time.
CREATE OR REPLACE FUNCTION temper_store_subject_keys(p_tenant text, p_subjects text[])
RETURNS TABLE (subject text, key_version int, nonce bytea, wrapped_key bytea, forgotten_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT k.subject, k.key_version, k.nonce, k.wrapped_key, k.forgotten_at FROM temper_store_subject_keys k
         WHERE k.tenant = p_tenant AND k.subject = ANY (p_subjects);
END
$$;

-- A subject's key for writing: the one it has, or else the one offered (made and wrapped by the caller). Two
-- stores making the first key of a subject at once both get the one that won.
CREATE OR REPLACE FUNCTION temper_store_create_subject_key(p_tenant text, p_subject text, p_key_version int,
                                                           p_nonce bytea, p_wrapped_key bytea)
RETURNS TABLE (key_version int, nonce bytea, wrapped_key bytea, forgotten_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO temper_store_subject_keys (tenant, subject, key_version, nonce, wrapped_key)
    VALUES (p_tenant, p_subject, p_key_version, p_nonce, p_wrapped_key)
    ON CONFLICT (tenant, subject) DO NOTHING;
    RETURN QUERY
        SELECT k.key_version, k.nonce, k.wrapped_key, k.forgotten_at FROM temper_store_subject_keys k
         WHERE k.tenant = p_tenant AND k.subject = p_subject;
END
$$;

-- Forgets a subject: its key is removed (a subject never seen gets a key-less row, so its first append is refused
-- too), the forget is audited (who, which subject, when; no data of the subject) and every store is notified at
-- the commit, to drop the key from its cache. A repeat changes nothing and answers the first forget's time.
CREATE OR REPLACE FUNCTION temper_store_forget_subject(p_tenant text, p_subject text, p_actor text)
RETURNS TABLE (forgotten_at timestamptz, already boolean)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    done timestamptz;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO temper_store_subject_keys AS k (tenant, subject, forgotten_at)
    VALUES (p_tenant, p_subject, now())
    ON CONFLICT (tenant, subject) DO UPDATE
        SET key_version = NULL, nonce = NULL, wrapped_key = NULL, forgotten_at = now()
        WHERE k.forgotten_at IS NULL
    RETURNING k.forgotten_at INTO done;
    IF done IS NULL THEN
        RETURN QUERY SELECT k.forgotten_at, true FROM temper_store_subject_keys k
                      WHERE k.tenant = p_tenant AND k.subject = p_subject;
        RETURN;
    END IF;
    INSERT INTO temper_store_audit (tenant, action, actor, detail)
    VALUES (p_tenant, 'subject.forget', p_actor, jsonb_build_object('subject', p_subject));
    PERFORM pg_notify('temper_store_subjects',
                      jsonb_build_object('tenant', p_tenant, 'subject', p_subject, 'since', done)::text);
    RETURN QUERY SELECT done, false;
END
$$;

-- The events that carry a subject's personal fields, in stream order after a cursor: every row the table holds,
-- also those of deleted streams not yet swept (export shows what is held, the check proves what is held unreadable).
-- The partial index idx_events_subject answers it; its predicate is repeated so that the planner can use it.
CREATE OR REPLACE FUNCTION temper_store_subject_events(p_tenant text, p_subject text, p_after_type text,
                                                       p_after_id text, p_after_sequence bigint, p_limit int)
RETURNS TABLE (entity_type text, entity_id text, sequence_nr bigint, event_id text, personal text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT e.entity_type, e.entity_id, e.sequence_nr, e.metadata ->> 'event_id', e.metadata ->> 'personal'
          FROM events e
         WHERE e.tenant = p_tenant AND e.metadata ? 'personal'
           AND (e.metadata #>> '{personal,subject}') = p_subject
           AND (e.entity_type, e.entity_id, e.sequence_nr) > (p_after_type, p_after_id, p_after_sequence)
         ORDER BY e.entity_type, e.entity_id, e.sequence_nr
         LIMIT p_limit;
END
$$;

-- Master-key rotation: data keys not wrapped by the primary key, after a (tenant, subject) cursor: of one tenant, or
-- of every tenant when p_tenant is null (then as a role that row-level security does not filter, as the secrets'
-- rotation across tenants is).
CREATE OR REPLACE FUNCTION temper_store_subject_keys_to_rewrap(p_tenant text, p_primary int, p_after_tenant text,
                                                               p_after_subject text, p_limit int)
RETURNS TABLE (tenant text, subject text, key_version int, nonce bytea, wrapped_key bytea)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    IF p_tenant IS NOT NULL THEN
        PERFORM set_config('app.current_tenant', p_tenant, true);
    END IF;
    RETURN QUERY
        SELECT k.tenant, k.subject, k.key_version, k.nonce, k.wrapped_key FROM temper_store_subject_keys k
         WHERE (p_tenant IS NULL OR k.tenant = p_tenant) AND k.key_version <> p_primary
           AND (k.tenant, k.subject) > (p_after_tenant, p_after_subject)
         ORDER BY k.tenant, k.subject
         LIMIT p_limit;
END
$$;

-- Stores a rewrapped key only if the row is as it was read (not forgotten, not rewrapped meanwhile).
CREATE OR REPLACE FUNCTION temper_store_store_rewrapped_key(p_tenant text, p_subject text, p_old_version int,
                                                            p_old_nonce bytea, p_key_version int, p_nonce bytea,
                                                            p_wrapped_key bytea)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE temper_store_subject_keys k SET key_version = p_key_version, nonce = p_nonce, wrapped_key = p_wrapped_key
     WHERE k.tenant = p_tenant AND k.subject = p_subject AND k.key_version = p_old_version AND k.nonce = p_old_nonce;
    RETURN FOUND;
END
$$;

-- Data keys not yet under the primary key, of one tenant or of all, for the rotation's report.
CREATE OR REPLACE FUNCTION temper_store_count_subject_keys_to_rewrap(p_tenant text, p_primary int)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    n bigint;
BEGIN
    IF p_tenant IS NOT NULL THEN
        PERFORM set_config('app.current_tenant', p_tenant, true);
    END IF;
    SELECT count(*) INTO n FROM temper_store_subject_keys k
     WHERE (p_tenant IS NULL OR k.tenant = p_tenant) AND k.key_version <> p_primary;
    RETURN n;
END
$$;
