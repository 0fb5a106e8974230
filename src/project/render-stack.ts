// The render stack behind one import: MJML, Markdown, Handlebars and the rest load only when something is
// rendered (the bundler keeps this module in a file of its own), so an unchanged rebuild starts fast. The one file
// that only re-exports, on purpose: it is the seam where the bundle is cut (scripts/bundle.mjs).
export { buildIssue } from './build-issue.ts';
export { setupFromSources } from './setup.ts';
export { parseIssue } from '../issue/parse.ts';
export { renderIssue } from '../render/render-issue.ts';
export { mjmlToHtml } from '../render/mjml-to-html.ts';
export { mjmlToText } from '../render/text.ts';
export { writeSite } from '../web/write-site.ts';
