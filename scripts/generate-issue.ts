/**
 * Deterministic synthetic issues for benchmarks: long-form commentary with pull quotes, section headings, two
 * images, a table and a sign-off with merge tags, about `words` words of body.
 */
const WORDS = (
  'council contract records vendor camera network oversight public budget meeting committee amendment review ' +
  'officials statement policy agency privacy surveillance city residents license plate data retention access ' +
  'report request document minutes vote consent agenda manager purchasing authority pilot program expansion ' +
  'journalist source interview evidence transparency accountability hearing testimony spokesperson office'
).split(' ');

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function sentence(next: () => number, length: number): string {
  const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  const text = words.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function paragraph(next: () => number, words: number): string {
  const out: string[] = [];
  let left = words;
  while (left > 0) {
    const n = Math.min(left, 8 + Math.floor(next() * 14));
    out.push(sentence(next, n));
    left -= n;
  }
  return out.join(' ');
}

export function generateIssue(seed: number, words = 1700, date = '2026-10-14'): string {
  const next = rng(seed);
  const parts: string[] = [];
  let written = 0;
  let section = 0;
  // Counts every word the reader sees: headings, quote attributions and link text included.
  const tail = 27;
  while (written < words - tail) {
    if (written > 0 && written % 400 < 80) {
      parts.push(`## Section ${++section}: ${sentence(next, 4).slice(0, -1)}`);
      written += 6;
    }
    const quote = next() < 0.3;
    const extra = quote ? 5 : 8;
    const n = Math.max(1, Math.min(words - tail - written - extra, 60 + Math.floor(next() * 60)));
    if (quote) parts.push(`> ${paragraph(next, n)}\n>\n> — Official ${section + 1}, in a statement`);
    else parts.push(`${paragraph(next, n)} See [the records](https://example.org/records/${seed}/${written}) for *details* and **context**.`);
    written += n + extra;
    if (parts.length === 4) parts.push(`![Council chamber during a vote](https://example.org/images/chamber-${seed}.jpg "Photo: Staff (CC BY 2.0)")`);
    if (parts.length === 9) {
      parts.push('| Date | Document | Cameras | Value | Vote |\n| --- | --- | ---: | ---: | --- |\n| Mar 2023 | Pilot | 24 | $180K | None |\n| Jan 2024 | Amend. 1 | 96 | $1.1M | None |\n| Sep 2024 | Amend. 2 | 210 | $2.9M | Consent |');
    }
  }
  parts.push('---', 'Thanks for reading, {{subscriber.name}}. [Read it on the web]({{web_url}}) or [unsubscribe]({{unsubscribe_url}}).');
  return `---
title: "Synthetic issue ${seed}: how a pilot became a network"
date: ${date}
subtitle: A generated issue for benchmarks
preheader: A pilot of two dozen cameras became a citywide network through amendments nobody debated.
image:
  src: https://example.org/images/hero-${seed}.jpg
  alt: Cameras on a pole above an intersection
  caption: "Photo: Staff (CC BY 2.0)"
tags: [surveillance, contracts]
status: ready
---

${parts.join('\n\n')}
`;
}
