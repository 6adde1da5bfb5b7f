import type { Migration } from '../migrate';

// Dead letters keep no customer token (architecture §2; src/queue/erase-customer-token.ts). From this release
// on, a job is scrubbed in the statement that marks it dead and an intake dead letter before it is written;
// this erases the tokens in those kept before. Same marker: `"customerToken": null, "customerTokenErased":
// true`. An intake body that is not UTF-8 cannot be read as text and is left as it is.
export const eraseDeadLetterTokensMigration: Migration = {
  id: 7,
  name: 'erase-dead-letter-tokens',
  sql: `DO $migration$
  DECLARE
    letter record;
    body text;
  BEGIN
    UPDATE jobs SET payload = (payload::jsonb || '{"customerToken": null, "customerTokenErased": true}'::jsonb)::json
      WHERE state = 'dead' AND json_typeof(payload) = 'object' AND payload->>'customerToken' IS NOT NULL;

    FOR letter IN SELECT id, raw_body FROM intake_dead_letters
      WHERE position(convert_to('"customerToken"', 'UTF8') IN raw_body) > 0
    LOOP
      BEGIN
        body := convert_from(letter.raw_body, 'UTF8');
      EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
        CONTINUE;
      END;
      UPDATE intake_dead_letters SET raw_body = convert_to(regexp_replace(body,
          '("customerToken"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"?', '\\1null, "customerTokenErased": true', 'g'), 'UTF8')
        WHERE id = letter.id;
    END LOOP;
  END $migration$`,
};
