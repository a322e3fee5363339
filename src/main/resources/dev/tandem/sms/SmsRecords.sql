-- name: moveInboundSms
UPDATE inbound_sms SET contact_id = :into WHERE contact_id = :from

-- name: deleteInboundSmsParts
DELETE FROM inbound_sms_part WHERE sender = ANY(CAST(:addresses AS text[]))

-- name: deleteSmsProblems
DELETE FROM sms_problem
WHERE source = ANY(CAST(:addresses AS text[]))
   OR raw ILIKE ANY(ARRAY(SELECT '%' || a || '%' FROM unnest(CAST(:addresses AS text[])) a))

-- name: deleteInboundSms
DELETE FROM inbound_sms WHERE contact_id = ANY(CAST(:ids AS uuid[]))
