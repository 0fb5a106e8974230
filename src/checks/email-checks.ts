import { diag, type Diagnostic } from '../core/diagnostic.ts';

/** Gmail clips messages whose HTML is larger than 102 KB; warn well before. */
export const SIZE_WARNING = 80 * 1024;
export const SIZE_LIMIT = 102 * 1024;

export interface EmailFacts {
  /** The file, for issue-level diagnostics. */
  file: string;
  /** The layout's file, for layout-level diagnostics. */
  layoutFile: string;
  htmlBytes: number;
  preheader: string;
  mjml: string;
  /** Final HTML before personalisation, with placeholders. */
  html: string;
  unsubscribePlaceholder: string;
}

export function checkSize(f: EmailFacts): Diagnostic[] {
  const kb = (f.htmlBytes / 1024).toFixed(1);
  if (f.htmlBytes > SIZE_LIMIT) {
    return [diag(f.file, 0, 'error', 'size/clipped', `the HTML is ${kb} KB: Gmail clips messages over 102 KB, hiding the end and the unsubscribe link`)];
  }
  if (f.htmlBytes > SIZE_WARNING) {
    return [diag(f.file, 0, 'warning', 'size/large', `the HTML is ${kb} KB, close to Gmail's 102 KB clipping limit`)];
  }
  return [];
}

export function checkPreheader(f: EmailFacts): Diagnostic[] {
  const preview = /<mj-preview\b[^>]*?(?:\/>|>([\s\S]*?)<\/mj-preview>)/.exec(f.mjml);
  if (!preview) {
    return [diag(f.layoutFile, 0, 'warning', 'preheader/missing', 'the layout has no <mj-preview>: inboxes will show the first text they find instead of a preheader')];
  }
  if (f.preheader.trim() === '') {
    return [diag(f.file, 1, 'warning', 'preheader/missing', 'no preheader: set "preheader" or start the issue with a paragraph')];
  }
  // The preview the inbox shows is what the layout put in <mj-preview>, whatever the preheader is.
  if ((preview[1] ?? '').trim() === '') {
    return [diag(f.layoutFile, 0, 'warning', 'preheader/missing', 'the layout\'s <mj-preview> is empty: put {{issue.preheader}} in it')];
  }
  return [];
}

export function checkUnsubscribe(f: EmailFacts): Diagnostic[] {
  if (f.html.includes(`href="${f.unsubscribePlaceholder}"`)) return [];
  return [diag(f.layoutFile, 0, 'error', 'unsubscribe/missing', 'the layout has no unsubscribe link: add <a href="{{unsubscribe_url}}">Unsubscribe</a> to the footer')];
}

/** Every check on the finished email, in one place so the preview can reuse the list. */
export const EMAIL_CHECKS = [checkSize, checkPreheader, checkUnsubscribe] as const;

export function runEmailChecks(facts: EmailFacts): Diagnostic[] {
  return EMAIL_CHECKS.flatMap((check) => check(facts));
}
