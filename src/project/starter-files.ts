/**
 * The files `newsletter init` writes besides the templates: a commented config whose every key is at a sensible
 * value or shown commented, a first issue that explains itself, what git should ignore, and where secrets go.
 */

/** The starter config; `timezone` is the machine's zone, so local send times mean what the writer expects. */
export const starterNewsletterYaml = (timezone: string): string => `# The newsletter's settings. Every key is optional; README.md's Configuration section lists them all.
# Commands run anywhere inside this folder use this project.

name: My Newsletter
description: One line about what readers get.
language: en
# The zone a send time without an offset is read in (send_at: 2026-12-04 07:00): an IANA name.
timezone: ${timezone}

# Where the web archive will live; an issue is published at <url>/<slug>/. Emails' links point here, so a
# real send needs an https:// address. A path works too (https://example.org/news).
url: http://localhost:8787

from:
  name: My Newsletter
  email: newsletter@example.org
# reply_to: editor@example.org

# The postal address bulk mail must carry (CAN-SPAM, and most providers' rules). Shown in every footer.
address: My Newsletter, 1 Main Street, Springfield

author:
  name: Your Name
  bio: One or two sentences about you, shown under each issue.

# theme:
#   width: 600
#   colors:
#     background: "#f3f0ea"
#     text: "#1f1f1f"
#     link: "#1a5fb4"
#   logo:
#     src: https://example.org/logo.png
#     alt: My Newsletter
#     width: 180

# sending:
#   rate_per_second: 10        # your provider's limit
#   dkim:                      # when you sign yourself; the key goes in .env (see .env.example)
#     domain: example.org
#     selector: news2026

# server:
#   trust_proxy: 1             # behind nginx or Caddy (docs/deploy.md in the newsletter's repository)

# schedule:
#   max_delay: 1h              # a scheduled send missed by more (no worker ran) is marked missed, not sent late

# automations:                 # sent by \`newsletter worker\`; each issue needs status: ready
#   welcome: issues/welcome.md # to every reader who confirms, at once
#   sequences:
#     - id: onboarding
#       trigger: confirmed     # or tag-added:<tag>
#       steps:
#         - issue: issues/onboarding-1.md
#           delay: 1d          # after the trigger; later steps count from the step before
#         - issue: issues/onboarding-2.md
#           delay: 3d
`;

/** A first issue: it shows the front matter and the Markdown a writer uses, in its own words. */
export function starterIssue(date: string): string {
  return `---
title: Welcome to your newsletter
date: ${date}
status: draft
subtitle: This is a sample issue. Read it, then make it yours.
preheader: How an issue is written, in one short page.
---

Dear {{subscriber.name default="reader"}},

This is an issue: a Markdown file in \`issues/\`, named after its date and its slug. The lines between the two
\`---\` at the top are its front matter: the title, the date, and \`status\`. An issue stays a \`draft\` until you
set \`status: ready\`; only ready issues are published on the web archive and can be sent.

## Writing

Write as you would in any Markdown editor. Paragraphs are separated by an empty line; **bold**, *italics* and
[links](https://commonmark.org/help/) work as usual.

> Quotations from a document or a source read best as block quotes.

- Lists work,
- and so do numbered ones.

Put images in \`issues/images/\` and write \`![What the image shows](images/file.jpg)\`: the preview shows them at
once, and \`newsletter build\` publishes them with the archive.

## Seeing it

Run \`newsletter preview\` and open the address it prints: this issue on a desktop and on a phone, in light
and dark colours, updated each time you save. \`newsletter check\` lists anything a mail client would trip on.

## Sending it

Add yourself with \`newsletter subscribers add you@example.org --confirmed\`, send a test with
\`newsletter send <this file> --test you@example.org\`, and when you are happy, set \`status: ready\` and run
\`newsletter send <this file>\`. It asks before it sends.

Thanks for reading, {{subscriber.name default="friend"}}.
`;
}

export const STARTER_GITIGNORE = `# What newsletter writes locally: built issues and the archive, outboxes, the subscriber database, secrets.
dist/
data/
.env
node_modules/
`;

export const STARTER_ENV_EXAMPLE = `# Copy this file to .env and fill it in. .env is read by every newsletter command (the environment wins over
# it) and must never be committed: .gitignore leaves it out.

# Signs the unsubscribe and confirmation links. Make one with: openssl rand -hex 32
# Keep it: changing it breaks every link already sent.
NEWSLETTER_SECRET=

# Where mail goes: smtp://user:password@host:587 or smtps://user:password@host:465 (percent-encode the password).
# Without it, mail goes to the preview's local inbox when a preview runs, else into dist/outbox/.
SMTP_URL=

# The subscriber database; default data/newsletter.db in this folder.
# NEWSLETTER_DB=data/newsletter.db

# DKIM signing (sending.dkim in newsletter.yaml): the private key as PEM text, or a file holding it.
# DKIM_PRIVATE_KEY_FILE=/path/to/dkim.pem
`;
