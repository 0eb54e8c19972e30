// A module resolve hook: `electron` becomes the fake entry next to this file.
const FAKE = new URL('./fake-electron-entry.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: FAKE, shortCircuit: true };
  return nextResolve(specifier, context);
}
