import type { z } from 'zod';
import { checkQuantity, checkStringMap } from './deployer-checks.js';
import { dnsSubdomain, zodIssues } from './deployer-schemas.js';
import type { DeployerProperties, PropertyIssue, ResourceName } from './deployer-types.js';
import { dns1123SubdomainError } from './names.js';
import { parseJsonLike, parseKeyValueList, parseList } from './property-text.js';

// The building blocks of the deployer key registry: how a key's flat text is parsed and validated.

export type Apply = (props: DeployerProperties, text: string, key: string) => PropertyIssue[];

export interface KeySpec {
  description: string;
  example: string;
  apply: Apply;
}

/** Validates a JSON-like value with a schema; on success hands the result to `set`. */
export function json<S extends z.ZodType>(
  schema: S,
  set: (p: DeployerProperties, v: z.output<S>) => void,
): Apply {
  return (props, text, key) => {
    const parsed = schema.safeParse(parseJsonLike(text));
    if (!parsed.success) return zodIssues(key, parsed.error);
    set(props, parsed.data);
    return [];
  };
}

export function list(set: (p: DeployerProperties, v: string[]) => void): Apply {
  return (props, text, key) => {
    const items = parseList(text);
    const issues = items.flatMap((item) => {
      const error = dns1123SubdomainError(item);
      return error ? [{ path: key, message: `'${item}' ${error}` }] : [];
    });
    if (issues.length === 0) set(props, items);
    return issues;
  };
}

export function int(min: number, set: (p: DeployerProperties, v: number) => void): Apply {
  return (props, text, key) => {
    const t = text.trim();
    if (!/^[0-9]+$/.test(t) || Number(t) < min || !Number.isSafeInteger(Number(t))) {
      return [{ path: key, message: `'${text}' must be an integer ≥ ${min}` }];
    }
    set(props, Number(t));
    return [];
  };
}

export function resource(kind: 'requests' | 'limits', name: ResourceName | 'gpu'): Apply {
  return (props, text, key) => {
    const issues = checkQuantity(key, text, name === 'gpu');
    if (issues.length === 0) (props[kind] as Record<string, string>)[name] = text.trim();
    return issues;
  };
}

export function stringMap(
  kind: 'label' | 'annotation' | 'selector',
  set: (p: DeployerProperties, v: Record<string, string>) => void,
): Apply {
  return (props, text, key) => {
    const map = parseKeyValueList(text);
    // Node labels under batchyard.io/ are the cluster's own business; only our own objects' keys are reserved.
    const issues = checkStringMap(
      key,
      map,
      kind === 'annotation' ? 'annotation' : 'label',
      kind !== 'selector',
    );
    if (issues.length === 0) set(props, map);
    return issues;
  };
}

/** Validates the trimmed text itself (not JSON) with a schema. */
export function text<S extends z.ZodType>(
  schema: S,
  set: (p: DeployerProperties, v: z.output<S>) => void,
): Apply {
  return (props, value, key) => {
    const parsed = schema.safeParse(value.trim());
    if (!parsed.success) return zodIssues(key, parsed.error);
    set(props, parsed.data);
    return [];
  };
}

export const simpleName = (set: (p: DeployerProperties, v: string) => void): Apply => text(dnsSubdomain, set);

/** `true` or `false` (SCDF reads anything else as false; Batchyard refuses it). */
export function bool(set: (p: DeployerProperties, v: boolean) => void): Apply {
  return (props, value, key) => {
    const t = value.trim().toLowerCase();
    if (t !== 'true' && t !== 'false') return [{ path: key, message: `'${value}' must be true or false` }];
    set(props, t === 'true');
    return [];
  };
}
