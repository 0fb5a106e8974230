/** A subscriber's state; only `active` subscribers receive issues. */
export const STATUSES = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses a subscriber chose or earned; no import or sign-up brings them back to `active`. */
export const SUPPRESSED: ReadonlySet<Status> = new Set(['unsubscribed', 'bounced', 'complained']);

export interface Subscriber {
  id: number;
  /** As given. */
  email: string;
  /** Lower-cased local part and ASCII domain: unique across the list. */
  emailNormalized: string;
  name: string;
  status: Status;
  /** Where the subscriber came from: `cli`, `form`, `import:<file>`. */
  source: string;
  attributes: Record<string, string>;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  /** Consent on record (issue 16), null where not known (rows made before it): the form's page or the imported file. */
  consentSource: string | null;
  /** When they asked: the sign-up, the CLI's add, or what an imported file says. */
  optedInAt: string | null;
  /** The client address of the sign-up, as `privacy.ip` kept it (whole, truncated to a /24 or /48, or not at all). */
  consentIp: string | null;
  /** What an imported file said about their consent, as JSON text. */
  consentEvidence: string | null;
  /** Random, made once with the row and never reused: what the subscriber's links are signed with. */
  tokenKey: string;
  /** The row existed before token keys did, so its old id-based links still work (see `subscriber-for-token.ts`). */
  legacyTokens: boolean;
}

/** One status change, kept so a writer can answer "why did this person stop getting my newsletter?". */
export interface SubscriberEvent {
  at: string;
  from: Status | null;
  to: Status;
  reason: string;
  /** What made the change: `cli`, `form`, `one-click`, `import:<file>`, `bounce`… */
  via: string;
}

export interface NewSubscriber {
  email: string;
  emailNormalized: string;
  name: string;
  status: Status;
  source: string;
  attributes?: Record<string, string>;
  reason: string;
  /** Consent on record, kept with the row; `optedInAt` defaults to the moment it is added. */
  consent?: NewConsent;
  /** Given with the row, in its transaction, each with its event (via the source); checked by `audience/tags.ts`. */
  tags?: readonly string[];
}

/**
 * The subscriber store, kept small so that another database (PostgreSQL) can implement it and run the same tests.
 * Every method that changes a subscriber appends its event in the same transaction.
 */
export interface SubscriberStore {
  get(emailNormalized: string): Promise<Subscriber | null>;
  byId(id: number): Promise<Subscriber | null>;
  /** The subscriber whose token key this is; null when none (purged, or never was). */
  byTokenKey(tokenKey: string): Promise<Subscriber | null>;
  /** In id order; `tag` keeps those with that tag (as stored: see `audience/tags.ts`). */
  list(filter?: ListFilter): Promise<Subscriber[]>;
  countByStatus(): Promise<Record<Status, number>>;
  /** Adds a subscriber; throws if the normalized address is already on the list. */
  add(subscriber: NewSubscriber): Promise<Subscriber>;
  /** Changes a status, recording why and through what; returns false when it already had that status. */
  setStatus(emailNormalized: string, to: Status, reason: string, via: string): Promise<boolean>;
  /**
   * An active subscriber whose mail bounced hard becomes `bounced`, with its event (via `bounce`); returns false
   * when they were not active. (A bounce found while sending is recorded by the ledger itself, in its own transaction.)
   */
  markBounced(id: number, reason: string, at?: Date): Promise<boolean>;
  /** Deletes the subscriber and their events (an erasure request); returns false when there was none. */
  purge(emailNormalized: string): Promise<boolean>;
  events(emailNormalized: string): Promise<SubscriberEvent[]>;
  /** The subscriber's tags, sorted; empty when none (or no such subscriber). */
  tags(emailNormalized: string): Promise<string[]>;
  /**
   * Gives the subscriber these tags (each normalised, or a BadTagError naming the first bad one, changing nothing);
   * returns the tags it did not have before, each with its event, or null when there is no such subscriber.
   */
  addTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null>;
  /** Takes these tags away, as addTags gives them; returns the tags it had, each with its event, or null when no such subscriber. */
  removeTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null>;
  /** The topics the subscriber has left, sorted; empty when none (or no such subscriber). */
  topicsLeft(emailNormalized: string): Promise<string[]>;
  /**
   * The subscriber leaves a topic (a row in subscriber_topics_left and an event, the status unchanged); returns
   * false when they had already left it, null when there is no such subscriber.
   */
  leaveTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null>;
  /** The subscriber comes back to a topic they left (the row deleted, an event); false when they had not left it. */
  rejoinTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null>;
  /** Every tag in use, sorted, with how many subscribers have it (segments warn about a tag not in it). */
  tagCounts(): Promise<TagCount[]>;
  /** Every subscriber's tags, sorted, by subscriber id; a subscriber without tags is not in it (for the export). */
  tagsById(): Promise<Map<number, string[]>>;
  /**
   * Imports people already subscribed elsewhere, all in one transaction, holding the write lock only to apply what
   * it planned without it: new addresses get the row's status (`active` when it has none) and its consent; known ones
   * get a changed name or new attributes but keep their status (a suppressed address stays suppressed), except that
   * an `active` one whose row says it `left` takes the row's status, with an event naming the file. The row's tags
   * are added, each with its event. With `dryRun` everything is counted and nothing kept.
   */
  importMany(rows: readonly ImportRow[], source: string, options?: ImportOptions): Promise<ImportCounts>;
}

export interface NewConsent {
  source?: string | null;
  optedInAt?: string | null;
  ip?: string | null;
  evidence?: string | null;
}

export interface ListFilter {
  status?: Status;
  tag?: string;
}

export interface TagCount {
  tag: string;
  subscribers: number;
}

/** The events a tag change appends: the status stays as it was (from = to), the reason names the tag. */
export const tagAddedReason = (tag: string): string => `tag added: ${tag}`;
export const tagRemovedReason = (tag: string): string => `tag removed: ${tag}`;
/** The same for topics (issue 16): leaving a topic is an event, and so is coming back. */
export const topicLeftReason = (topic: string): string => `left topic: ${topic}`;
export const topicRejoinedReason = (topic: string): string => `rejoined topic: ${topic}`;

export interface ImportOptions {
  dryRun?: boolean;
  /** Called every `PROGRESS_EVERY` rows and at the end, with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
  /** Called once every row is planned, before the write lock is taken (tests change the list there, meanwhile). */
  onPlanned?: () => void;
}

export const PROGRESS_EVERY = 10_000;

export interface ImportRow {
  email: string;
  emailNormalized: string;
  name: string;
  attributes: Record<string, string>;
  /** The status a new address gets (this newsletter's own export says it); `active` when absent. A known address keeps its own. */
  status?: Status;
  /**
   * The source file says this person left (unsubscribed, bounced or complained: `status`): a known address that is
   * `active` takes that status too, with the file as the reason. Never set for `active`.
   */
  left?: true;
  /** Tags the file gives (already fitting the tag rule): added to a new or known address, never removed. */
  tags?: readonly string[];
  /** How the source file says this person opted in, kept for a new address (the file's name is the consent source). */
  consent?: ImportConsent;
}

export interface ImportConsent {
  optedInAt?: string;
  ip?: string;
  /** The source row's evidence fields, by header: stored as JSON text. */
  evidence?: Record<string, string>;
}

export interface ImportCounts {
  imported: number;
  updated: number;
  /** Already on the list with nothing to change, including suppressed addresses, which are never reactivated. */
  unchanged: number;
  /** `imported` by the status each new address got. */
  importedAs: Record<Status, number>;
  /** Known active addresses the file moved to a suppressed status (counted in `updated` too), by that status. */
  became: Record<Status, number>;
}

/** Counts of nothing yet. */
export function noImportCounts(): ImportCounts {
  const zero = () => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  return { imported: 0, updated: 0, unchanged: 0, importedAs: zero(), became: zero() };
}
