-- Revoked bridge tokens (docs/security.md, "Revoking a token"): one token by its jti, or every token of a subject
-- issued before a time. Every bridge holds the list in memory and checks each frame against it; it reloads the list
-- when notified (temper_store_revocations, at the commit of a revocation) and every refresh interval besides.
-- A row is kept only while a token it names could still be valid (expires_at): after that the token is refused
-- for its expiry anyway, so the row is removed and the list stays small.

-- Revokes; p_jti or p_subject, not both. A repeat of a jti's revocation changes nothing (revoked false); a
-- subject's is a new row (the latest issued_before counts). Removes the rows past their expiry on the way.
CREATE OR REPLACE FUNCTION temper_store_revoke_token(p_jti text, p_subject text, p_issued_before timestamptz,
                                                     p_expires_at timestamptz, p_actor text, p_reason text)
RETURNS TABLE (revocation_id bigint, revoked boolean, expires_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    created bigint;
BEGIN
    DELETE FROM temper_store_token_revocations r WHERE r.expires_at <= now();
    INSERT INTO temper_store_token_revocations (jti, subject, issued_before, expires_at, actor, reason)
    VALUES (p_jti, p_subject, p_issued_before, p_expires_at, p_actor, p_reason)
    ON CONFLICT (jti) WHERE jti IS NOT NULL DO NOTHING
    RETURNING id INTO created;
    PERFORM pg_notify('temper_store_revocations', '');
    IF created IS NOT NULL THEN
        RETURN QUERY SELECT created, true, p_expires_at;
    ELSE
        RETURN QUERY SELECT r.id, false, r.expires_at FROM temper_store_token_revocations r WHERE r.jti = p_jti;
    END IF;
END
$$;

-- The revocations still in force, for a bridge to hold; the expired ones are removed first.
CREATE OR REPLACE FUNCTION temper_store_revocations_in_force()
RETURNS TABLE (jti text, subject text, issued_before timestamptz, expires_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    DELETE FROM temper_store_token_revocations r WHERE r.expires_at <= now();
    RETURN QUERY SELECT r.jti, r.subject, r.issued_before, r.expires_at FROM temper_store_token_revocations r;
END
$$;
