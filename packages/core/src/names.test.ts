import { describe, expect, it } from 'vitest';
import { APP_NAME_RULES, nameProblem, TASK_NAME_RULES } from './names.js';

describe('nameProblem', () => {
  it.each([
    ['etl', undefined],
    ['nightly-etl-2', undefined],
    ['a'.repeat(255), undefined],
  ])('accepts %s', (name, expected) => {
    expect(nameProblem(name, TASK_NAME_RULES)).toBe(expected);
  });

  it.each([
    ['', 'task name must not be empty'],
    ['Etl', 'task name must be lowercase (Kubernetes names are)'],
    ['1etl', 'task name must start with a letter'],
    ['etl_x', "task name may contain only lowercase letters, digits and '-' (found '_')"],
    ['etl.x', "task name may contain only lowercase letters, digits and '-' (found '.')"],
    ['etl-', 'task name must start and end with a letter or digit'],
    ['a'.repeat(256), 'task name is 256 characters long; at most 255 are allowed'],
  ])('rejects %j: %s', (name, message) => {
    expect(nameProblem(name, TASK_NAME_RULES)).toBe(message);
  });

  it('limits app names to a DNS-1123 label', () => {
    expect(nameProblem('a'.repeat(63), APP_NAME_RULES)).toBeUndefined();
    expect(nameProblem('a'.repeat(64), APP_NAME_RULES)).toMatch(/at most 63/);
  });
});
