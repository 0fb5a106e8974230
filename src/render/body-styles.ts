import type { Theme } from '../config/schema.ts';

/**
 * Inline styles for the elements of an issue body. Email clients drop or ignore much of <style>, so every element
 * carries its own; values come only from the validated theme, never from the issue.
 */
export type BodyStyles = Readonly<Record<string, string>>;

const MONO = "Menlo, Consolas, 'Courier New', monospace";

export function bodyStyles(theme: Theme): BodyStyles {
  const c = theme.colors;
  const heading = `font-family:${theme.fonts.heading};color:${c.heading};font-weight:700;`;
  const size = theme.font_size;
  return {
    h1: `${heading}font-size:${Math.round(size * 1.6)}px;line-height:1.25;margin:32px 0 12px;`,
    h2: `${heading}font-size:${Math.round(size * 1.35)}px;line-height:1.3;margin:32px 0 12px;`,
    h3: `${heading}font-size:${Math.round(size * 1.15)}px;line-height:1.35;margin:28px 0 10px;`,
    h4: `${heading}font-size:${size}px;line-height:1.4;margin:24px 0 8px;`,
    h5: `${heading}font-size:${size}px;line-height:1.4;margin:24px 0 8px;`,
    h6: `${heading}font-size:${size}px;line-height:1.4;margin:24px 0 8px;`,
    p: 'margin:0 0 18px;',
    a: `color:${c.link};text-decoration:underline;`,
    blockquote: `margin:24px 0;padding:16px 20px 2px;border-left:4px solid ${c.accent};background-color:${c.quote_background};color:${c.text};font-style:italic;`,
    ul: 'margin:0 0 18px;padding:0 0 0 28px;',
    ol: 'margin:0 0 18px;padding:0 0 0 28px;',
    li: 'margin:0 0 8px;',
    pre: `margin:0 0 18px;padding:12px 14px;background-color:${c.quote_background};font-family:${MONO};font-size:14px;line-height:1.5;white-space:pre-wrap;word-wrap:break-word;`,
    code: `font-family:${MONO};background-color:${c.quote_background};`,
    table: `width:100%;border-collapse:collapse;margin:0 0 18px;font-size:${Math.max(13, size - 4)}px;line-height:1.4;`,
    th: `padding:6px 8px 6px 0;border-bottom:2px solid ${c.border};vertical-align:bottom;`,
    td: `padding:6px 8px 6px 0;border-bottom:1px solid ${c.border};vertical-align:top;word-wrap:break-word;`,
    img: 'max-width:100%;height:auto;border:0;',
    hr: `border:0;border-top:1px solid ${c.border};margin:24px 0;`,
    caption: `color:${c.muted};font-size:14px;text-align:left;padding:0 0 6px;`,
  };
}
