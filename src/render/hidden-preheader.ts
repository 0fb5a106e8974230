/**
 * How the preheader (`<mj-preview>`) is hidden in the email. MJML hides it with white 1px text
 * (`font-size:1px;color:#ffffff`), which SpamAssassin scores as HTML_FONT_LOW_CONTRAST on every message, text
 * coloured like its background being a spammer's trick. Hidden without a colour instead, as Litmus and Email on Acid
 * recommend: `display:none` (Gmail, Apple Mail, Outlook.com), `mso-hide:all` (Outlook on Windows, whose Word engine
 * ignores display:none), and no height, width or opacity for the clients that drop display:none.
 */
export const PREHEADER_STYLE = 'display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;';

/** MJML's preview div: the first thing in the body, styled display:none. */
const MJML_PREVIEW = /(<body\b[^>]*>\s*)<div style="display:none;[^"]*">/;

/** The HTML with MJML's preview div restyled; HTML without one is returned as it is. */
export function hidePreheader(html: string): string {
  return html.replace(MJML_PREVIEW, (_, body: string) => `${body}<div style="${PREHEADER_STYLE}">`);
}
