import type { ImportRow } from '../subscribers/subscriber.ts';

/** The file an import came from, as its consent source and in its events' reasons: `import:list.csv` is `list.csv`. */
export const importedFile = (source: string) => source.replace(/^import:/, '');

/** The consent columns of a new address, from its import row; the file's name is where consent was recorded. */
export function consentValues(r: ImportRow, source: string) {
  const evidence = r.consent?.evidence;
  return {
    consentSource: importedFile(source),
    optedInAt: r.consent?.optedInAt ?? null,
    consentIp: r.consent?.ip ?? null,
    consentEvidence: evidence && Object.keys(evidence).length > 0 ? JSON.stringify(evidence) : null,
  };
}
