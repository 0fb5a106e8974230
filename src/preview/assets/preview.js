// Reloads the part of the page that changed when the server says so; the URL keeps the view and tab.
// The page names its issue in <body data-slug>; the index has none and follows every change.
const slug = document.body.dataset.slug;
const source = new EventSource(slug === undefined ? '/events?index=1' : `/events?slug=${encodeURIComponent(slug)}`);
async function refresh() {
  const response = await fetch(location.href, { headers: { 'x-preview-refresh': '1' } });
  const next = new DOMParser().parseFromString(await response.text(), 'text/html');
  for (const id of ['top', 'content']) {
    const here = document.getElementById(id), there = next.getElementById(id);
    if (here && there) here.replaceWith(there);
  }
  document.title = next.title;
  document.body.dataset.version = next.body.dataset.version || '';
}
source.addEventListener('change', (event) => {
  const change = JSON.parse(event.data);
  if (slug === undefined || change.slugs.indexOf(slug) !== -1) refresh();
});
source.addEventListener('inbox', () => {
  if (new URLSearchParams(location.search).get('tab') === 'inbox') refresh();
});

// ---- Copy buttons and frame widths (issue 14) ----
/* global Element, navigator, setTimeout, clearTimeout, ResizeObserver, MutationObserver */
// "Copy" on a code tab copies the code as text: the <pre>'s text, or the source list's lines joined (its
// highlighting is only markup around the same characters). Listened for on the document, since a live refresh
// replaces the tab's content.
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button.copy') : null;
  const block = button?.closest('.code');
  const code = block?.querySelector('pre, ol.source');
  if (!button || !block || !code) return;
  const text = code.tagName === 'OL' ? Array.from(code.children, (li) => li.textContent).join('\n') : code.textContent;
  const status = block.querySelector('.copy-status');
  let message = 'Copied';
  try {
    await navigator.clipboard.writeText(text ?? '');
    button.dataset.copied = '';
  } catch {
    message = 'Could not copy: select the text instead';
  }
  button.textContent = message === 'Copied' ? 'Copied' : 'Copy';
  if (status) status.textContent = message;
  clearTimeout(button.resetTimer);
  button.resetTimer = setTimeout(() => {
    button.textContent = 'Copy';
    delete button.dataset.copied;
    if (status) status.textContent = '';
  }, 2000);
});

// Each frame's caption says the width it really shows: the desktop frame takes the room the phone leaves it.
const widths = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const caption = entry.target.closest('figure')?.querySelector('.frame-width');
    if (caption) caption.textContent = String(Math.round(entry.target.clientWidth));
  }
});
function watchFrameWidths() {
  widths.disconnect();
  for (const frame of document.querySelectorAll('.frames iframe')) widths.observe(frame);
}
watchFrameWidths();
new MutationObserver(watchFrameWidths).observe(document.body, { childList: true });

// The inbox's own pages (/inbox, /inbox/<id>) say so in <body data-inbox>: the list follows every arrival.
source.addEventListener('inbox', () => {
  if (document.body.dataset.inbox === 'list') refresh();
});
