/**
 * Wraps a load (a wasm module, fetched over the network) so that it runs once for every caller,
 * while it is under way and after it succeeded; a load that failed (offline, a dropped
 * connection) is not remembered, and the next caller tries again. The arguments of the call
 * that starts a load are the ones used.
 */
export function loadOnce<A extends unknown[], T>(
  load: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let pending: Promise<T> | undefined;
  return (...args) => {
    pending ??= load(...args).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
