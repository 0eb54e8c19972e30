/**
 * The error `fn` throws, so a spec can check its type, code and message in
 * several assertions; throws itself if `fn` returns normally.
 */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
