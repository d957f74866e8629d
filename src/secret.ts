const HIDDEN = '[secret]';

/**
 * A secret value that cannot leak by accident: printing, string interpolation, JSON and
 * util.inspect all show "[secret]". Only `reveal()` gives the value, and only the adapter that
 * stores it in Nomad calls it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return HIDDEN;
  }
  toJSON(): string {
    return HIDDEN;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return HIDDEN;
  }
}

/** A URL as it may be printed: `https://user:pass@host` → `https://***@host`. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** Whether a URL carries a user or password (`https://user:pass@host`). */
export function hasCredentials(url: string): boolean {
  return withoutCredentials(url) !== url;
}
