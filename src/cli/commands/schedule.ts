import type { Environment } from '../../config/environment.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveSegment } from '../../audience/segment-choice.ts';
import { readFrontMatterTimes, syncFrontMatterSchedules } from '../../automation/front-matter-schedules.ts';
import { formatSendTime } from '../../automation/send-time.ts';
import { formatTimeAhead } from '../../automation/duration.ts';
import { OPEN_SCHEDULE_STATES, type ScheduleRecord } from '../../automation/schedule-store.ts';
import type { Stores } from '../../store/stores.ts';
import type { Config } from '../../config/schema.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { findIssue } from './send.ts';
import { declaredSlug } from '../../issue/declared-slug.ts';

export interface ScheduleCommand {
  root: string;
  cwd: string;
  environment: Environment;
  json: boolean;
}

/** How long ended schedules (sent, missed, cancelled) stay in the list. */
const RECENT_MS = 14 * 24 * 3_600_000;

const fmt = (n: number) => n.toLocaleString('en-US');

interface Listed {
  slug: string;
  file: string;
  sendAt: string;
  when: string;
  state: ScheduleRecord['state'];
  origin: ScheduleRecord['origin'];
  segment: string | null;
  topic: string | null;
  /** Active subscribers the send would go to now (not started), or its frozen recipients (started). */
  count: number | null;
  reason: string | null;
}

async function describe(s: ScheduleRecord, config: Config, stores: Stores, topics: Map<string, { segment: string | null; topic: string | null }>): Promise<Listed> {
  const front = topics.get(s.slug) ?? { segment: null, topic: null };
  const segmentText = s.segment ?? front.segment;
  let count: number | null = null;
  let segment = segmentText;
  let topic = front.topic;
  const send = s.sendId === null ? null : await stores.ledger.send(s.sendId);
  if (send) {
    count = send.recipients;
    segment = send.segment;
    topic = send.topic;
  } else if (s.state === 'scheduled' || s.state === 'blocked' || s.state === 'starting') {
    try {
      const chosen = segmentText === null ? undefined : resolveSegment(segmentText, config.segments);
      count = (await stores.ledger.previewAudience({ ...(chosen ? { segment: chosen } : {}), ...(topic ? { topic } : {}) }, 0)).count;
    } catch {
      count = null; // a segment that no longer parses: the send will be blocked, and says why
    }
  }
  return {
    slug: s.slug,
    file: s.issueFile,
    sendAt: new Date(s.sendAt).toISOString(),
    when: formatSendTime(s.sendAt, config.timezone),
    state: s.state,
    origin: s.origin,
    segment,
    topic,
    count,
    reason: s.reason,
  };
}

/**
 * `newsletter schedule`: the scheduled sends still to go (and those ended in the last two weeks), with the issue,
 * segment, topic and how many subscribers it goes to; the issues' `send_at:` are taken in first.
 */
export async function runScheduleList(cmd: ScheduleCommand): Promise<number> {
  const config = await loadConfig(cmd.root);
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'schedule');
  try {
    const now = Date.now();
    const synced = await syncFrontMatterSchedules(cmd.root, config, stores, now);
    for (const problem of synced.problems) process.stderr.write(`newsletter schedule: ${problem}\n`);
    const fronts = new Map<string, { segment: string | null; topic: string | null }>();
    for (const t of await readFrontMatterTimes(cmd.root)) fronts.set(t.slug, { segment: t.segment, topic: t.topic });
    const all = (await stores.schedules.list()).filter((s) => OPEN_SCHEDULE_STATES.includes(s.state) || now - s.updatedAt < RECENT_MS);
    const listed: Listed[] = [];
    for (const s of all) listed.push(await describe(s, config, stores, fronts));
    if (cmd.json) {
      process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
      return 0;
    }
    if (listed.length === 0) {
      process.stdout.write('Nothing is scheduled. Schedule an issue with: newsletter send <issue> --at <time> (or send_at: in its front matter)\n');
      return 0;
    }
    for (const l of listed) {
      const due = Date.parse(l.sendAt) - now;
      const timing = l.state === 'scheduled' ? (due > 0 ? formatTimeAhead(due) : 'due now') : l.state;
      process.stdout.write(`${l.slug}: ${l.when}, ${timing}${l.origin === 'front-matter' ? ' (send_at: in its front matter)' : ''}\n`);
      process.stdout.write(`  file       ${l.file}\n`);
      process.stdout.write(`  state      ${l.state}${l.reason ? `: ${l.reason}` : ''}\n`);
      process.stdout.write(`  segment    ${l.segment ?? 'everyone active'}\n`);
      process.stdout.write(`  topic      ${l.topic ?? 'the main list'}\n`);
      if (l.count !== null) process.stdout.write(`  count      ${fmt(l.count)} ${l.state === 'scheduled' || l.state === 'blocked' || l.state === 'starting' ? 'active subscribers now (frozen when the send starts)' : 'recipients, frozen when the send started'}\n`);
    }
    return 0;
  } finally {
    await stores.close();
  }
}

/** `newsletter schedule cancel <issue>`: a schedule not yet started is cancelled; one whose send has begun cannot be. */
export async function runScheduleCancel(cmd: ScheduleCommand, name: string): Promise<number> {
  const found = await findIssue(cmd.root, cmd.cwd, name);
  const slug = found && 'source' in found ? declaredSlug(found.file, found.source) : name;
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'schedule');
  try {
    const open = await stores.schedules.open(slug);
    if (!open) {
      process.stderr.write(`newsletter schedule: ${slug} is not scheduled (newsletter schedule lists what is)\n`);
      return 1;
    }
    if (open.state === 'starting' || open.state === 'sending') {
      process.stderr.write(`newsletter schedule: the send of ${slug} has already begun and cannot be cancelled; see newsletter status ${slug}\n`);
      return 1;
    }
    const done = await stores.schedules.transition(open.id, ['scheduled', 'blocked'], 'cancelled', { reason: 'cancelled by newsletter schedule cancel' }, Date.now());
    if (!done) {
      process.stderr.write(`newsletter schedule: a worker started the send of ${slug} just now; see newsletter status ${slug}\n`);
      return 1;
    }
    const config = await loadConfig(cmd.root);
    process.stdout.write(`Cancelled: ${slug} was scheduled for ${formatSendTime(open.sendAt, config.timezone)}; nothing will be sent.${open.origin === 'front-matter' ? ' Its send_at: stays in the file but is not scheduled again unless you change it.' : ''}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}
