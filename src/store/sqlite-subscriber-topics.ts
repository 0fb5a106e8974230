import { topicLeftReason, topicRejoinedReason, type Status } from '../subscribers/subscriber.ts';
import { transaction, type Db } from './open.ts';

/**
 * The topics a subscriber left, on SQLite (issue 16): a row in subscriber_topics_left per topic, which a topic's send
 * skips. Leaving and coming back are events whose status stays as it was (from = to), as tags are.
 */
export class SqliteSubscriberTopics {
  private readonly insertLeft;
  private readonly deleteLeft;
  private readonly insertEvent;
  private readonly byEmail;
  private readonly left;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insertLeft = db.prepare<[number, string, string]>('INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.deleteLeft = db.prepare<[number, string]>('DELETE FROM subscriber_topics_left WHERE subscriber_id = ? AND topic = ?');
    this.insertEvent = db.prepare('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, ?, ?, ?, ?)');
    this.byEmail = db.prepare<[string], { id: number; status: Status }>('SELECT id, status FROM subscribers WHERE email_normalized = ?');
    this.left = db.prepare<[string], { topic: string }>(
      'SELECT l.topic FROM subscriber_topics_left l JOIN subscribers s ON s.id = l.subscriber_id WHERE s.email_normalized = ? ORDER BY l.topic',
    );
  }

  topicsLeft(emailNormalized: string): string[] {
    return this.left.all(emailNormalized).map((r) => r.topic);
  }

  leaveTopic(emailNormalized: string, topic: string, via: string): boolean | null {
    return transaction(this.db, () => {
      const s = this.byEmail.get(emailNormalized);
      if (!s) return null;
      const at = this.now().toISOString();
      if (this.insertLeft.run(s.id, topic, at).changes !== 1) return false;
      this.insertEvent.run(s.id, at, s.status, s.status, topicLeftReason(topic), via);
      return true;
    });
  }

  rejoinTopic(emailNormalized: string, topic: string, via: string): boolean | null {
    return transaction(this.db, () => {
      const s = this.byEmail.get(emailNormalized);
      if (!s) return null;
      if (this.deleteLeft.run(s.id, topic).changes !== 1) return false;
      this.insertEvent.run(s.id, this.now().toISOString(), s.status, s.status, topicRejoinedReason(topic), via);
      return true;
    });
  }
}
