import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE } from '../../config/config-file.ts';
import { slugify } from '../../issue/slug.ts';

export interface NewCommand {
  root: string;
  title: string;
  /** YYYY-MM-DD; today (local time) when absent. */
  date?: string;
  /** The file name's slug; made from the title when absent. */
  slug?: string;
  /** No project was found: this folder becomes one, with a `newsletter.yaml` that commands run inside it will find. */
  startProject?: boolean;
}

/** A config that changes nothing (every key at its default) but marks the project's folder. */
export const STARTER_CONFIG = `# The newsletter's settings. Every key is optional; the README's Configuration section lists them with their
# defaults. Commands run anywhere inside this folder use this project.
# name: My Newsletter
# url: https://news.example.org
# from:
#   name: The Editor
#   email: news@example.org
# address: 1 Main Street, Springfield
`;

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The starting text of a new issue: required fields set, optional ones shown as comments. */
export function newIssueText(title: string, date: string): string {
  return `---
title: ${JSON.stringify(title)}
date: ${date}
status: draft
# subtitle: One line under the title
# preheader: The line inboxes show after the subject, about 120 characters
# image:
#   src: https://example.org/images/photo.jpg
#   alt: What the photo shows
#   caption: "Photo: Name (licence)"
# tags: [politics]
---

Write the issue here, in Markdown. Quote at length with \`>\`; sign off with {{subscriber.name}} if you like.
`;
}

/** `newsletter new "Title"`: writes issues/YYYY-MM-DD-<slug>.md, never over an existing file. */
export async function runNew(cmd: NewCommand): Promise<number> {
  const title = cmd.title.trim();
  if (title === '' || /[\r\n]/.test(title)) {
    process.stderr.write('newsletter new: the title must be one non-empty line\n');
    return 2;
  }
  const slug = cmd.slug ?? slugify(title);
  if (slug === '') {
    process.stderr.write('newsletter new: the title has no letters a-z or digits 0-9 to make a file name from; give one with --slug\n');
    return 2;
  }
  const date = cmd.date ?? today();
  const file = `issues/${date}-${slug}.md`;
  if (cmd.startProject) {
    try {
      await writeFile(join(cmd.root, CONFIG_FILE), STARTER_CONFIG, { flag: 'wx' });
      process.stdout.write(`Created ${CONFIG_FILE}: this folder is the newsletter's project\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  await mkdir(join(cmd.root, 'issues'), { recursive: true });
  try {
    await writeFile(join(cmd.root, file), newIssueText(title, date), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(`newsletter new: ${file} already exists; nothing written\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`Created ${file}\n`);
  return 0;
}
