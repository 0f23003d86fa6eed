import { describe, expect, it } from 'vitest';
import { isSecretFileReference, masksEnvValue, REDACTED, redactEnvironmentList } from './redaction.js';

describe('environment variables naming a secret file (…_FILE)', () => {
  it.each([
    ['BATCHYARD_TASK_TOKEN_FILE', '/var/run/secrets/batchyard.io/task/token'],
    ['DB_PASSWORD_FILE', '/run/secrets/db-password'],
    ['api_key_file', '/etc/app/key.pem'],
  ])('%s=%s is a path, shown as it is', (name, value) => {
    expect(isSecretFileReference(name, value)).toBe(true);
    expect(masksEnvValue(name, value)).toBe(false);
  });

  it.each([
    // What an inline secret under a …_FILE name would look like: still masked.
    ['DB_PASSWORD_FILE', 's3cr3t'],
    ['DB_PASSWORD_FILE', 'secrets/db'],
    ['API_TOKEN_FILE', '/AbC+dEf/gH=='],
    ['API_TOKEN_FILE', '/run/secrets/a b'],
    ['API_TOKEN_FILE', 'postgres://u:p@db/x'],
    ['API_TOKEN_FILE', '/'],
    ['API_TOKEN_FILE', ''],
    // Not the …_FILE convention at all.
    ['DB_PASSWORD', '/run/secrets/db-password'],
    ['TOKEN_FILENAME', '/run/secrets/token'],
  ])('%s=%s is masked', (name, value) => {
    expect(masksEnvValue(name, value)).toBe(true);
  });

  it('names that do not look secret are never masked, whatever their value', () => {
    expect(masksEnvValue('INPUT_FILE', 'anything at all')).toBe(false);
  });

  it('applies to SCDF environment lists too', () => {
    expect(
      redactEnvironmentList('A=1,DB_PASSWORD_FILE=/run/secrets/db,DB_PASSWORD=x,API_TOKEN_FILE=inline'),
    ).toBe(`A=1,DB_PASSWORD_FILE=/run/secrets/db,DB_PASSWORD=${REDACTED},API_TOKEN_FILE=${REDACTED}`);
  });
});
