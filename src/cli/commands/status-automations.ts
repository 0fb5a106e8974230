import { loadConfig } from '../../config/load.ts';
import { declaredSlug } from '../../issue/declared-slug.ts';
import { readIssueFile } from '../../project/issue-file.ts';
import { formatDuration } from '../../automation/duration.ts';
import type { StepCounts } from '../../automation/automation-store.ts';
import type { Stores } from '../../store/stores.ts';

export interface StepStatus {
  step: number;
  issue: string;
  delay: string;
  /** Null until the first reader reached this step (its standing send is made then). */
  send: number | null;
  counts: StepCounts;
}

export interface SequenceStatus {
  id: string;
  trigger: string;
  enrolled: number;
  steps: StepStatus[];
}

const NONE: StepCounts = { waiting: 0, sent: 0, skipped: 0, failed: 0, inDoubt: 0 };

/** Each configured sequence's enrolled readers and each step's counts: waiting, sent, skipped, failed, in doubt. */
export async function automationStatus(root: string, stores: Stores): Promise<SequenceStatus[]> {
  const config = await loadConfig(root);
  const sends = (await stores.ledger.sends()).filter((s) => s.automation !== null);
  const out: SequenceStatus[] = [];
  for (const sequence of config.automations.sequences) {
    const enrolled = await stores.automations.enrolled(sequence.id);
    const steps: StepStatus[] = [];
    for (const [index, step] of sequence.steps.entries()) {
      let slug: string | null = null;
      try {
        slug = declaredSlug(step.issue, readIssueFile(root, step.issue));
      } catch {
        slug = null; // a missing file: `newsletter check` names its line in newsletter.yaml
      }
      const send = slug === null ? undefined : sends.find((s) => s.automation === `${sequence.id}:${slug}`);
      const counts = send ? await stores.automations.stepCounts(sequence.id, send.id, send.topic) : { ...NONE, waiting: index === 0 ? enrolled : 0 };
      steps.push({ step: index + 1, issue: step.issue, delay: step.delayMs === 0 ? '0' : formatDuration(step.delayMs), send: send?.id ?? null, counts });
    }
    out.push({ id: sequence.id, trigger: sequence.trigger.kind === 'confirmed' ? 'confirmed' : `tag-added:${sequence.trigger.tag}`, enrolled, steps });
  }
  return out;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function describeAutomations(list: readonly SequenceStatus[]): string {
  if (list.length === 0) return 'No automations: add a welcome email or sequences under automations: in newsletter.yaml.\n';
  const lines: string[] = [];
  for (const s of list) {
    lines.push(`${s.id}: on ${s.trigger}, ${fmt(s.enrolled)} entered`);
    lines.push(`  ${'step'.padEnd(5)} ${'delay'.padEnd(8)} ${'waiting'.padStart(9)} ${'sent'.padStart(9)} ${'skipped'.padStart(9)} ${'failed'.padStart(9)} ${'in doubt'.padStart(9)}  issue`);
    for (const step of s.steps) {
      const c = step.counts;
      lines.push(`  ${String(step.step).padEnd(5)} ${step.delay.padEnd(8)} ${fmt(c.waiting).padStart(9)} ${fmt(c.sent).padStart(9)} ${fmt(c.skipped).padStart(9)} ${fmt(c.failed).padStart(9)} ${fmt(c.inDoubt).padStart(9)}  ${step.issue}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
