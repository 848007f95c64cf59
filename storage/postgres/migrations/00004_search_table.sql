-- +goose Up
-- The similarity vector lives beside the suggestion, not in it: a generated column was
-- recomputed on every workflow update (bigrams cost milliseconds), and every non-HOT update
-- added GIN entries. Now only a change of title or body touches it.
DROP INDEX suggestions_search;
ALTER TABLE suggestions DROP COLUMN search;

CREATE TABLE suggestion_search (
  tenant_id     bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  search        tsvector NOT NULL,
  PRIMARY KEY (tenant_id, suggestion_id)
);
CREATE INDEX suggestion_search_gin ON suggestion_search USING gin (tenant_id, search);

-- +goose StatementBegin
CREATE FUNCTION suggestion_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO suggestion_search (tenant_id, suggestion_id, search)
  VALUES (NEW.tenant_id, NEW.id,
          setweight(to_tsvector('simple', suggestion_bigrams(NEW.title)), 'A') ||
          setweight(to_tsvector('simple', suggestion_bigrams(left(NEW.body, 500))), 'B'))
  ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET search = EXCLUDED.search;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER suggestion_search_insert AFTER INSERT ON suggestions
  FOR EACH ROW EXECUTE FUNCTION suggestion_search_sync();
CREATE TRIGGER suggestion_search_update AFTER UPDATE OF title, body ON suggestions
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body)
  EXECUTE FUNCTION suggestion_search_sync();

INSERT INTO suggestion_search (tenant_id, suggestion_id, search)
SELECT tenant_id, id, setweight(to_tsvector('simple', suggestion_bigrams(title)), 'A') ||
                      setweight(to_tsvector('simple', suggestion_bigrams(left(body, 500))), 'B')
FROM suggestions;

-- +goose Down
DROP TRIGGER suggestion_search_update ON suggestions;
DROP TRIGGER suggestion_search_insert ON suggestions;
DROP FUNCTION suggestion_search_sync();
DROP TABLE suggestion_search;
ALTER TABLE suggestions ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple', suggestion_bigrams(title)), 'A') ||
  setweight(to_tsvector('simple', suggestion_bigrams(left(body, 500))), 'B')) STORED;
CREATE INDEX suggestions_search ON suggestions USING gin (tenant_id, search);
