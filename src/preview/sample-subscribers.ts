import type { Recipient } from '../render/personalise.ts';

/** Subscribers to preview personalisation with: an ordinary one, a long name, one whose name is HTML, none. */
const SAMPLES = [
  { label: 'sample', name: 'Sample Reader', email: 'reader@example.com' },
  {
    label: 'long name',
    name: 'Maximiliana Alexandra Featherstonehaugh-Wolfeschlegelsteinhausen',
    email: 'maximiliana.featherstonehaugh-wolfeschlegelsteinhausen@subscribers.example.org',
  },
  { label: 'HTML in name', name: '<b>Ada</b> "Lovelace" & <img src=x onerror=alert(1)>', email: 'ada@example.net' },
  { label: 'no name', name: '', email: 'anonymous@example.net' },
] as const;

export const SAMPLE_LABELS: readonly string[] = SAMPLES.map((s) => s.label);

/** Sample subscriber `index` (0 when out of range), with an unsubscribe link under the newsletter's URL. */
export function sampleSubscriber(index: number, baseUrl: string): Recipient {
  const s = SAMPLES[index] ?? SAMPLES[0];
  return { name: s.name, email: s.email, unsubscribeUrl: `${baseUrl}/unsubscribe/sample-${SAMPLES.indexOf(s)}` };
}
