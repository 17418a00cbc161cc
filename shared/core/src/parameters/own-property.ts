/**
 * `__proto__` is a valid Python name, so parameter names go in as data
 * properties: plain assignment would replace the object's prototype instead.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
