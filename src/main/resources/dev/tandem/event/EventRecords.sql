-- name: moveEvents
UPDATE event SET contact_id = :into WHERE contact_id = :from

-- name: deleteEvents
DELETE FROM event WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseChanges
UPDATE change SET data = '{"erased": true}' WHERE contact_id = ANY(CAST(:ids AS uuid[]))
