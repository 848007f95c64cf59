-- +goose Up
-- Per-category reply deadlines (PRODUCT.md: "per-category deadlines with an overdue mark"):
-- a category may be answered faster or slower than the tenant's reply clock. NULL keeps the
-- tenant's; the value counts months from the assignment, like the tenant's clock.
ALTER TABLE categories ADD COLUMN reply_months smallint CHECK (reply_months BETWEEN 1 AND 12);

-- +goose Down
ALTER TABLE categories DROP COLUMN reply_months;
