import { ValueProblem } from './errors.js';

/**
 * The names that carry meaning across the code. A branded string can only be made by the
 * function that checks it, so inside the core a `Slug` is always a valid job ID and a
 * `Hostname` always a valid DNS name.
 */
export type Slug = string & { readonly __brand: 'Slug' };
export type Hostname = string & { readonly __brand: 'Hostname' };

/** A job ID that is also a DNS label: a-z, 0-9 and -, at most 63 characters. */
export function asSlug(text: string): Slug {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(text)) {
    throw new ValueProblem('expected a slug: a-z, 0-9 and - only, at most 63 characters, no - at either end');
  }
  return text as Slug;
}

// Underscores are allowed: existing deployments use them in names.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** A DNS name, lower-cased; the first label may be `*` for a wildcard. */
export function asHostname(text: string): Hostname {
  const name = text.toLowerCase();
  const labels = name.split('.');
  const ok =
    name.length <= 253 && labels.every((label, i) => LABEL.test(label) || (i === 0 && label === '*' && labels.length > 2));
  if (!ok) {
    throw new ValueProblem('expected a DNS name: labels of a-z, 0-9, - and _ (at most 63 each) joined by dots, like www.example.com');
  }
  return name as Hostname;
}
