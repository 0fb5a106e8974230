import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { splitFrontMatter } from '../issue/front-matter.ts';
import { declaredSlug } from '../issue/declared-slug.ts';
import { readIssueFile } from '../project/issue-file.ts';
import { listIssueFiles } from '../project/sources.ts';
import type { Ledger } from '../store/ledger/ledger.ts';
import { parseSendTime } from './send-time.ts';
import type { ScheduleStore } from './schedule-store.ts';

/** What an issue file's front matter says about scheduling, read without rendering it. */
export interface FrontMatterTime {
  file: string;
  slug: string;
  ready: boolean;
  /** `send_at:` as written, or null. */
  sendAt: string | null;
  /** `segment:` and `topic:` as written, or null: what `newsletter schedule` shows before the send starts. */
  segment: string | null;
  topic: string | null;
}

/** The front matter read last time, by file, kept while the file's size and mtime stay the same. */
const cache = new Map<string, { key: string; read: FrontMatterTime | null }>();

/** Every issue's `send_at:` and status; a file that cannot be read or split is left out (`check` reports it). */
export async function readFrontMatterTimes(root: string): Promise<FrontMatterTime[]> {
  const out: FrontMatterTime[] = [];
  for (const file of await listIssueFiles(root)) {
    let key: string;
    try {
      const st = statSync(join(root, file));
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      continue;
    }
    let entry = cache.get(file);
    if (entry?.key !== key) {
      entry = { key, read: readOne(root, file) };
      cache.set(file, entry);
    }
    if (entry.read) out.push(entry.read);
  }
  return out;
}

function readOne(root: string, file: string): FrontMatterTime | null {
  try {
    const source = readIssueFile(root, file);
    const split = splitFrontMatter(source.replace(/\r\n?/g, '\n'));
    if (!split.ok) return null;
    const fm = (split.yaml.value ?? {}) as Record<string, unknown>;
    return {
      file,
      slug: declaredSlug(file, source),
      ready: fm.status === 'ready',
      sendAt: typeof fm.send_at === 'string' && fm.send_at.trim() !== '' ? fm.send_at.trim() : null,
      segment: typeof fm.segment === 'string' ? fm.segment.trim() : null,
      topic: typeof fm.topic === 'string' ? fm.topic : null,
    };
  } catch {
    return null;
  }
}

/**
 * Brings the schedules in line with the issues' `send_at:` (a ready issue with one is scheduled, as if by
 * `send --at`): a new time makes a schedule; a changed time moves one not yet started; a removed `send_at:` cancels
 * it. A time that was sent, missed or cancelled is never scheduled again by itself, and neither is an issue sent
 * already. Returns what could not be scheduled (a time that does not parse: `check` names its line).
 */
export async function syncFrontMatterSchedules(root: string, config: Config, stores: { schedules: ScheduleStore; ledger: Pick<Ledger, 'latestSend'> }, now: number): Promise<{ changed: string[]; problems: string[] }> {
  const { schedules } = stores;
  const changed: string[] = [];
  const problems: string[] = [];
  const times = await readFrontMatterTimes(root);
  const withTime = new Set<string>();
  for (const t of times) {
    if (t.sendAt === null || !t.ready) continue;
    const parsed = parseSendTime(t.sendAt, config.timezone);
    if ('problem' in parsed) {
      problems.push(`${t.file}: send_at: ${parsed.problem}`);
      continue;
    }
    withTime.add(t.slug);
    const open = await schedules.open(t.slug);
    if (open) {
      if (open.origin === 'front-matter' && open.sendAt !== parsed.at && (open.state === 'scheduled' || open.state === 'blocked')) {
        if (await schedules.transition(open.id, [open.state], 'scheduled', { sendAt: parsed.at, reason: null, blockedHash: null, nextTryAt: 0 }, now)) changed.push(`${t.slug}: send_at moved to ${new Date(parsed.at).toISOString()}`);
      }
      continue;
    }
    const latest = await schedules.latest(t.slug);
    if (latest && latest.origin === 'front-matter' && latest.sendAt === parsed.at) continue;
    if (await stores.ledger.latestSend(t.slug)) continue;
    await schedules.add({ slug: t.slug, issueFile: t.file, sendAt: parsed.at, segment: null, origin: 'front-matter' }, now);
    changed.push(`${t.slug}: scheduled by send_at: for ${new Date(parsed.at).toISOString()}`);
  }
  for (const s of await schedules.list(['scheduled', 'blocked'])) {
    if (s.origin !== 'front-matter' || withTime.has(s.slug)) continue;
    const file = times.find((t) => t.slug === s.slug);
    // Gone, or ready no longer: a draft is blocked when due (and says so); a removed send_at: is a cancellation.
    if (file && !file.ready && file.sendAt !== null) continue;
    if (await schedules.transition(s.id, [s.state], 'cancelled', { reason: file ? 'send_at: was removed from the front matter' : `${s.issueFile} is gone` }, now)) {
      changed.push(`${s.slug}: cancelled (${file ? 'send_at: removed' : 'file gone'})`);
    }
  }
  return { changed, problems };
}
