import type { Config } from '../config/schema.ts';
import type { Issue } from '../issue/issue.ts';
import { mergeContext, type Placeholders } from './merge-tags.ts';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "March 2, 2026" in the newsletter's language. */
export function formatDate(date: string, language: string): string {
  let format = dateFormats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' });
    dateFormats.set(language, format);
  }
  return format.format(new Date(`${date}T00:00:00Z`));
}

export interface RenderFacts {
  body: string;
  preheader: string;
  readingMinutes: number;
  placeholders: Placeholders;
  webUrl: string;
}

/**
 * Everything a layout may use. Every key is present (null when empty) because templates run in strict mode, where a
 * missing key is an error: that is what turns a typo in a template into a build error with its line.
 */
export function layoutContext(issue: Issue, config: Config, facts: RenderFacts) {
  const ownAuthor = issue.author === config.author.name;
  return {
    newsletter: {
      name: config.name,
      description: config.description,
      url: config.url,
      address: config.address,
      language: config.language,
    },
    theme: config.theme,
    issue: {
      title: issue.title,
      subtitle: issue.subtitle,
      subject: issue.subject,
      preheader: facts.preheader,
      author: issue.author,
      date: issue.date,
      date_display: formatDate(issue.date, config.language),
      reading_time: `${facts.readingMinutes} min read`,
      reading_minutes: facts.readingMinutes,
      image: issue.image,
      tags: issue.tags,
      slug: issue.slug,
    },
    author: { name: issue.author, bio: ownAuthor ? config.author.bio : null },
    body: facts.body,
    ...mergeContext(facts.placeholders, facts.webUrl),
  };
}
