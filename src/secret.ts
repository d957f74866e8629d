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
