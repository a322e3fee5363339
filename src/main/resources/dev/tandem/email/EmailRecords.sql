-- name: moveInboundEmail
UPDATE inbound_email SET contact_id = :into WHERE contact_id = :from

-- name: deleteInboundEmail
DELETE FROM inbound_email
WHERE contact_id = ANY(CAST(:ids AS uuid[]))
   OR sender ILIKE ANY(ARRAY(SELECT '%' || a || '%' FROM unnest(CAST(:addresses AS text[])) a))
