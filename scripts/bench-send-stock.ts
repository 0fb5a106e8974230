/**
 * The baseline for `npm run bench:send`, run in its own process: stock Nodemailer, pooled, sending the same
 * personalised messages the way a typical application does (sendMail with html, text and headers per subscriber,
 * Nodemailer composing each one). Prints one JSON line: { sent, elapsedMs }.
 *
 * Usage: node --import tsx scripts/bench-send-stock.ts <smtp-url> <count> <connections>
 */
import { createTransport } from 'nodemailer';
import { readBuildSources } from '../src/project/sources.ts';
import { setupFromSources } from '../src/project/setup.ts';
import { parseIssue } from '../src/issue/parse.ts';
import { renderIssue } from '../src/render/render-issue.ts';
import { listId, messageId } from '../src/send/compose/headers.ts';
import { generateIssue } from './generate-issue.ts';

const [url, countText, connectionsText] = process.argv.slice(2);
const count = Number(countText);
const root = new URL('..', import.meta.url).pathname;
const setup = setupFromSources(await readBuildSources(root));
const { config } = setup;
const parsed = parseIssue('issues/2026-10-14-synthetic.md', generateIssue(1), { author: config.author.name, layout: config.layout });
const rendered = await renderIssue(parsed.issue!, config, setup.templates);
const template = rendered.recipientTemplate!;

const transport = createTransport({ url, pool: true, maxConnections: Number(connectionsText) } as Parameters<typeof createTransport>[0]);
const started = performance.now();
let sent = 0;
let next = 0;
// Keep the pool busy without queueing every message up front (that would measure memory, not sending).
async function worker(): Promise<void> {
  while (next < count) {
    const i = next++;
    const email = `r${i}@example.org`;
    const unsubscribeUrl = `${config.url}/unsubscribe/u${i}`;
    const body = template.render({ name: `Reader ${i}`, email, unsubscribeUrl });
    await transport.sendMail({
      from: { name: config.name, address: config.from.email },
      to: { name: `Reader ${i}`, address: email },
      subject: rendered.subject,
      messageId: messageId(rendered.issue.slug, email, config.from.email),
      html: body.html,
      text: body.text,
      headers: {
        'List-Id': listId(config),
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    sent++;
  }
}
await Promise.all(Array.from({ length: Number(connectionsText) * 4 }, worker));
const elapsedMs = performance.now() - started;
transport.close();
console.log(JSON.stringify({ sent, elapsedMs }));
