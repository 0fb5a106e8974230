import { barChart } from './charts/bar-chart.ts';
import { lineChart } from './charts/line-chart.ts';
import { count, dayLabel, dayYearLabel, h, minuteLabel, type Html } from './charts/markup.ts';
import type { DeskData, DeskSend } from './desk-data.ts';
import { STATUSES } from '../subscribers/subscriber.ts';

/** The command the empty desk suggests: the one that adds a first subscriber. */
export const FIRST_SUBSCRIBER_COMMAND = 'newsletter subscribers add you@example.org';

const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

function audience(desk: DeskData | null): Html {
  if (!desk || desk.total === 0) {
    return h`<section class="desk-card audience" aria-labelledby="audience-h"><h2 id="audience-h">Audience</h2>
<p class="desk-empty">No subscribers yet. Add the first with <code>${FIRST_SUBSCRIBER_COMMAND}</code>, or import a list with <code>newsletter subscribers import list.csv</code>.</p></section>`;
  }
  const tiles = STATUSES.map((s) => h`<li class="stat stat-${s}"><span class="stat-n">${count(desk.counts[s])}</span> <span class="stat-label">${s}</span></li>`);
  const points = desk.activeByDay;
  const first = points[0];
  const last = points.at(-1);
  const desc =
    first && last
      ? `Active subscribers from ${dayLabel(first.day)} to ${dayYearLabel(last.day)}: from ${count(first.value)} to ${count(last.value)}.`
      : 'No subscriber has become active yet.';
  const rows = [...points].reverse().map((p) => h`<tr><td>${dayYearLabel(p.day)}</td><td>${count(p.value)}</td></tr>`);
  return h`<section class="desk-card audience" aria-labelledby="audience-h"><h2 id="audience-h">Audience <span class="desk-aside">${plural(desk.total, 'subscriber')} in all</span></h2>
<ul class="stats">${tiles}</ul>
<figure class="desk-chart"><figcaption>Active subscribers per day (UTC)</figcaption>
${lineChart({ points, title: 'Active subscribers over time', desc })}
<details><summary>Table of active subscribers per day</summary><table class="desk-table"><thead><tr><th scope="col">Day</th><th scope="col">Active</th></tr></thead><tbody>${rows}</tbody></table></details>
</figure></section>`;
}

function sendCard(s: DeskSend, known: (slug: string) => boolean): Html {
  const st = s.status;
  const c = st.counts;
  const pending = c.queued + c.sending + c.retry;
  const outcomes: [string, string, number][] = [
    ['sent', 'sent', c.sent],
    ['failed', 'failed', c.failed],
    ['in-doubt', 'in doubt', c.in_doubt],
    ['pending', 'pending', pending],
    ['suppressed', 'suppressed', c.suppressed],
  ];
  const per = s.bucketMinutes === 1 ? 'minute' : `${s.bucketMinutes} minutes`;
  const total = s.bars.reduce((a, b) => a + b.value, 0);
  const peak = s.bars.reduce((a, b) => Math.max(a, b.value), 0);
  const desc = s.bars.length
    ? `${plural(total, 'message')} sent from ${minuteLabel(s.bars[0]!.minute)} to ${minuteLabel(s.bars.at(-1)!.minute)} UTC on ${dayYearLabel(s.bars[0]!.minute)}, at most ${count(peak)} a ${per}.`
    : 'No message of this send has been sent yet.';
  const rows = s.bars.map((b) => h`<tr><td>${minuteLabel(b.minute)}</td><td>${count(b.value)}</td></tr>`);
  const title = known(st.slug) ? h`<a href="/issues/${encodeURIComponent(st.slug)}">${st.slug}</a>` : st.slug;
  return h`<li class="send-card"><div class="send-head"><h3>${title}</h3><span class="badge send-${st.state}">${st.state}</span></div>
<p class="send-subject">${st.subject}</p>
<p class="send-when">Begun ${st.createdAt.slice(0, 16).replace('T', ' ')} UTC · ${plural(st.recipients, 'recipient')}${st.rate > 0 ? ` · ${count(st.rate)}/s` : ''}</p>
<dl class="outcomes">${outcomes.map(([cls, label, n]) => h`<div class="outcome outcome-${cls}${n === 0 ? ' zero' : ''}"><dt>${label}</dt><dd>${count(n)}</dd></div>`)}</dl>
<figure class="desk-chart send-chart"><figcaption>Messages per ${per} (UTC)</figcaption>
${barChart({ bars: s.bars, title: `Messages per ${per}: ${st.slug}`, desc })}
${rows.length ? h`<details><summary>Table of messages per ${per}</summary><table class="desk-table"><thead><tr><th scope="col">From (UTC)</th><th scope="col">Messages</th></tr></thead><tbody>${rows}</tbody></table></details>` : ''}
</figure>
${st.errors.length ? h`<p class="send-errors">Most common refusal: <code>${st.errors[0]!.example}</code> (${count(st.errors[0]!.count)})</p>` : ''}
</li>`;
}

function sends(desk: DeskData | null, known: (slug: string) => boolean): Html {
  const list = desk?.sends ?? [];
  return h`<section class="desk-card sends" aria-labelledby="sends-h"><h2 id="sends-h">Recent sends <span class="desk-aside">the latest five; <code>newsletter status</code> lists all</span></h2>
${list.length ? h`<ul class="send-list">${list.map((s) => sendCard(s, known))}</ul>` : h`<p class="desk-empty">No issue has been sent yet. <code>newsletter send &lt;issue&gt;</code> sends one to every active subscriber.</p>`}
</section>`;
}

/** In place of both panels when the database cannot be read: what is wrong, in one line. */
function unreadable(problem: string): Html {
  return h`<section class="desk-card desk-problem" role="status" aria-labelledby="desk-problem-h"><h2 id="desk-problem-h">Audience and sends</h2>
<p class="desk-empty">The subscriber database cannot be read: ${problem}</p></section>`;
}

/**
 * The desk's audience and sends panels, under the issues on the home page; `known` says which slugs have a page.
 * `problem`, when the database could not be read, replaces them.
 */
export function deskPanels(desk: DeskData | null, known: (slug: string) => boolean, problem: string | null = null): Html {
  if (problem !== null) return h`<div class="desk">${unreadable(problem)}</div>`;
  return h`<div class="desk">${audience(desk)}${sends(desk, known)}</div>`;
}
