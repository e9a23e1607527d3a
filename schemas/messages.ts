/**
 * Turns zod issues into the rejection messages of EVENTS.md: the field path, the bad value and
 * what was expected, e.g. `settlement.fund_pay_sumamt: 1200.5 is larger than medfee_sumamt 1000`.
 * Personal identifiers are never echoed (they would reach dead letters and logs in clear).
 */
import type { z } from 'zod';

const PERSONAL_PATHS = new Set(['psn_no']);
const MAX_SHOWN = 60;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

export function showValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} chars)` : s;
}

function isPersonal(input: unknown, path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  if (typeof last === 'string' && PERSONAL_PATHS.has(last)) return true;
  return last === 'subject_code' && valueAt(input, ['subject_kind']) === 'insured';
}

/** Texts written in the schemas start with `expected`; zod's defaults start with `Invalid`. */
function hasOwnText(issue: z.core.$ZodIssue): boolean {
  return issue.message.startsWith('expected ');
}

function phrase(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // A schema's own text (`expected an integer year`) says more than zod's type name (`int`).
      return hasOwnText(issue) ? issue.message : `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
    case 'custom':
    case 'invalid_format':
      return issue.message;
    default:
      return issue.message;
  }
}

export function formatIssue(
  recordType: string,
  input: unknown,
  issue: z.core.$ZodIssue,
): { path: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.map(String).join('.');
    const field = [recordType, base, issue.keys[0]].filter((s) => s !== '').join('.');
    return {
      path: field,
      message: `${field}: unknown field: expected only the fields EVENTS.md lists for ${recordType}`,
    };
  }
  const path = [recordType, ...issue.path.map(String)].join('.');
  const value = valueAt(input, issue.path);
  const shown = isPersonal(input, issue.path) ? '<personal data>' : showValue(value);
  const p = phrase(issue);
  if (value === undefined) return { path, message: `${path}: is missing: ${p.replace(/^is missing: /, '')}` };
  if (p.startsWith('is ')) return { path, message: `${path}: ${shown} ${p}` };
  if (issue.code === 'invalid_type' && !hasOwnText(issue)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return { path, message: `${path}: ${shown} is invalid: ${p}, got ${got}` };
  }
  return { path, message: `${path}: ${shown} is invalid: ${p}` };
}
