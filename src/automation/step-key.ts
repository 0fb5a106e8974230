/**
 * What names a sequence step's standing ledger send (`sends.automation`): the sequence id, a colon, the step issue's
 * slug (`onboarding:2026-01-01-welcome`). One home, for the worker that makes the key and the store that checks it.
 */
export const stepKey = (sequence: string, slug: string): string => `${sequence}:${slug}`;

/** Throws, naming the key, unless it is `<sequence>:<step slug>` with both parts given. */
export function checkStepKey(key: string): void {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) throw new Error(`a sequence step's key is "<sequence>:<step slug>", not "${key}"`);
}
