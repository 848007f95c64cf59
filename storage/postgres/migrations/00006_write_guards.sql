-- +goose Up
-- A workflow change is sent as one pipelined batch in one implicit transaction, so a check
-- made in Go after a statement returns would come too late: the batch has already committed.
-- Guarded statements call jianyi_expect instead; a wrong row count raises SQLSTATE JY001 with
-- the refusal's code as the message, and the whole batch rolls back.
-- +goose StatementBegin
CREATE FUNCTION jianyi_expect(got bigint, want bigint, code text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF got IS DISTINCT FROM want THEN
    RAISE EXCEPTION USING ERRCODE = 'JY001', MESSAGE = code;
  END IF;
  RETURN got;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION jianyi_expect(bigint, bigint, text);
