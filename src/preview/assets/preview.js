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
// The inbox's own pages (/inbox, /inbox/<id>) say so in <body data-inbox>: the list follows every arrival.
source.addEventListener('inbox', () => {
  if (document.body.dataset.inbox === 'list') refresh();
});
