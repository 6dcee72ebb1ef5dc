// A describe-level fixture is made in before(), after the describe body has run. A stand-in lets
// the body name it as a plain const anyway: every property read goes to the fixture once it exists.

/** An object that forwards to what `get` returns; reading it before the fixture exists throws, naming `what`. */
export function standIn<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = get();
      if (target === undefined) throw new Error(`${what} is used before the before() hook that makes it has run`);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
