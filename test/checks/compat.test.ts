import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compatDiagnostics, TARGET_CLIENTS, type Feature } from '../../src/checks/compat.ts';
import { templateFeatures } from '../../src/checks/template-features.ts';

// Verdicts below were checked against node_modules/caniemail/data/caniemail.json (caniemail 1.0.5,
// data last_update_date 2025-09-09), taking the last version key of each platform in file order.

const F = 'templates/layouts/newsletter.mjml.hbs';
const el = (name: string, line = 1): Feature => ({ kind: 'element', name, line });
const prop = (name: string, line = 1): Feature => ({ kind: 'property', name, line });
const at = (name: string, line = 1): Feature => ({ kind: 'at-rule', name, line });
const messages = (features: Feature[]): string[] => compatDiagnostics(F, features).map((d) => d.message);

test('TARGET_CLIENTS lists the 15 Gmail, Apple Mail, Outlook and Yahoo platforms with readable labels', () => {
  assert.equal(TARGET_CLIENTS.length, 15);
  assert.deepEqual(
    TARGET_CLIENTS.map((c) => `${c.family}.${c.platform}`),
    [
      'gmail.desktop-webmail', 'gmail.ios', 'gmail.android', 'gmail.mobile-webmail',
      'apple-mail.macos', 'apple-mail.ios',
      'outlook.windows', 'outlook.windows-mail', 'outlook.macos', 'outlook.outlook-com', 'outlook.ios', 'outlook.android',
      'yahoo.desktop-webmail', 'yahoo.ios', 'yahoo.android',
    ],
  );
  const label = (family: string, platform: string) => TARGET_CLIENTS.find((c) => c.family === family && c.platform === platform)?.label;
  assert.equal(label('gmail', 'android'), 'Gmail (Android)');
  assert.equal(label('apple-mail', 'ios'), 'Apple Mail (iOS)');
  assert.equal(label('outlook', 'windows'), 'Outlook (Windows)');
  assert.equal(label('outlook', 'outlook-com'), 'Outlook.com');
  assert.equal(label('yahoo', 'desktop-webmail'), 'Yahoo Mail (desktop webmail)');
});

test('border-radius in <mj-style> is flagged for both Windows Outlooks only (Yahoo\'s "a" is partial, not reported)', () => {
  const source = '<mjml>\n  <mj-head>\n    <mj-style>\n      .card { border-radius: 8px; }\n    </mj-style>\n  </mj-head>\n</mjml>\n';
  const features = templateFeatures(source);
  assert.deepEqual(features, [prop('border-radius', 4)]);
  assert.deepEqual(compatDiagnostics(F, features), [
    {
      file: F,
      line: 4,
      severity: 'warning',
      rule: 'compat/css',
      message: 'CSS "border-radius" is not supported by Outlook (Windows), Outlook (Windows Mail)',
    },
  ]);
});

test('@media in <mj-style> is flagged for Gmail (mobile webmail) and the Windows Outlooks, not for partial support', () => {
  const source = [
    '<mj-style>', //                                      1
    '  @media (max-width: 480px) {', //                   2
    '    .col { width: 100% !important; }', //            3
    '  }', //                                             4
    '</mj-style>', //                                     5
  ].join('\n');
  const features = templateFeatures(source);
  assert.deepEqual(features, [at('@media', 2), prop('width', 3)]);
  const diags = compatDiagnostics(F, features);
  assert.equal(diags.length, 1, 'width is at worst partially supported, so only @media is reported');
  assert.equal(diags[0]!.line, 2);
  assert.equal(diags[0]!.rule, 'compat/css');
  assert.equal(diags[0]!.message, 'CSS "@media" is not supported by Gmail (mobile webmail), Outlook (Windows), Outlook (Windows Mail)');
});

test('the other at-rules are found in <mj-style> and map to their css-at-* features', () => {
  const source = [
    '<mj-style>',
    '  @import url("https://fonts.example/a.css");',
    '  @font-face { font-family: X; src: url(x.woff2); }',
    '  @supports (display: grid) { .a { color: red } }',
    '  @keyframes spin { from { transform: rotate(0) } }',
    '</mj-style>',
  ].join('\n');
  const features = templateFeatures(source);
  assert.deepEqual(
    features.filter((f) => f.kind === 'at-rule'),
    [at('@import', 2), at('@font-face', 3), at('@supports', 4), at('@keyframes', 5)],
  );
  const byName = new Map(compatDiagnostics(F, features).map((d) => [d.message.split(' is not')[0], d]));
  // Outlook (Windows) is "a #4" for @font-face: partial, so not listed; Outlook (Windows Mail) is "n".
  const fontFace = byName.get('CSS "@font-face"');
  assert.ok(fontFace);
  assert.ok(!fontFace.message.includes('Outlook (Windows),'));
  assert.ok(fontFace.message.includes('Outlook (Windows Mail)'));
  assert.ok(!fontFace.message.includes('Apple Mail'));
  // @import is supported by both Windows Outlooks but not by Gmail.
  const imp = byName.get('CSS "@import"');
  assert.ok(imp);
  assert.ok(imp.message.includes('Gmail (desktop webmail)'));
  assert.ok(!imp.message.includes('Outlook (Windows)'));
  assert.ok(byName.has('CSS "@supports"'));
  assert.ok(byName.has('CSS "@keyframes"'));
  assert.ok(byName.has('CSS "transform"'));
});

test('a template with only mj-* tags and Handlebars yields no features', () => {
  const source = [
    '<mjml>',
    '  <mj-body background-color="{{theme.background}}">',
    '    {{#if hero}}<mj-image src="{{hero.src}}" alt="{{hero.alt}}" />{{/if}}',
    '    {{!-- <blockquote style="border-radius: 4px"> --}}',
    '    {{{body}}}',
    '    <mj-section><mj-column><mj-text>{{title}}</mj-text></mj-column></mj-section>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');
  assert.deepEqual(templateFeatures(source), []);
});

test('HTML comments and closing tags are ignored', () => {
  const source = '<!-- <table style="position: absolute"> -->\n<mj-text>\n</span></div>\n</mj-text>';
  assert.deepEqual(templateFeatures(source), []);
});

test('raw elements and their style="…" properties are reported on the right lines', () => {
  const source = [
    '<mjml>', //                                                   1
    '  <mj-body>', //                                              2
    '    <mj-text>', //                                            3
    '      <P>Hello {{name}}</P>', //                              4
    '      <blockquote', //                                        5
    '        class="quote"', //                                    6
    '        style="border-left: 2px solid #ccc;', //              7
    '               position: relative; top: 2px">', //            8
    '        <a href="{{url}}" style=\'box-shadow: none\'>x</a>', // 9
    '      </blockquote>', //                                      10
    '    </mj-text>', //                                           11
    '    <mj-raw><section>hi</section></mj-raw>', //               12
    '  </mj-body>', //                                             13
    '</mjml>', //                                                  14
  ].join('\n');
  assert.deepEqual(templateFeatures(source), [
    el('p', 4),
    el('blockquote', 5),
    prop('border-left', 7),
    prop('position', 8),
    prop('top', 8),
    el('a', 9),
    prop('box-shadow', 9),
    el('section', 12),
  ]);
  const diags = compatDiagnostics(F, templateFeatures(source));
  assert.deepEqual(
    diags.map((d) => [d.line, d.rule, d.message.split(' is not')[0]]),
    [
      [8, 'compat/css', 'CSS "position"'],
      [8, 'compat/css', 'CSS "top"'],
      [9, 'compat/css', 'CSS "box-shadow"'],
      [12, 'compat/html', 'HTML <section>'],
    ],
  );
  assert.equal(
    diags[3]!.message,
    'HTML <section> is not supported by Outlook (Windows), Outlook (Windows Mail), Yahoo Mail (desktop webmail), Yahoo Mail (iOS), Yahoo Mail (Android)',
  );
});

test('<p>, <a>, <blockquote> and other well-supported or slug-less elements produce no warning', () => {
  assert.deepEqual(compatDiagnostics(F, [el('p'), el('a'), el('blockquote'), el('h2'), el('ul'), el('li'), el('strike'), el('table')]), []);
});

test('unknown elements, properties and at-rules produce nothing', () => {
  assert.deepEqual(compatDiagnostics(F, [el('frobnicate'), prop('frobnicate'), prop('mso-line-height-rule'), at('@frobnicate'), el('v:roundrect')]), []);
});

test('an unsupported element gets compat/html and names the tag', () => {
  assert.deepEqual(compatDiagnostics(F, [el('LINK', 3)]), [
    {
      file: F,
      line: 3,
      severity: 'warning',
      rule: 'compat/html',
      message:
        'HTML <link> is not supported by Gmail (desktop webmail), Gmail (iOS), Gmail (Android), Gmail (mobile webmail), Outlook (macOS), Outlook.com, Outlook (iOS), Outlook (Android), Yahoo Mail (desktop webmail), Yahoo Mail (iOS), Yahoo Mail (Android)',
    },
  ]);
});

test('one diagnostic per (feature, line)', () => {
  const diags = compatDiagnostics(F, [prop('border-radius', 2), prop('border-radius', 2), prop('Border-Radius', 2), prop('border-radius', 5)]);
  assert.deepEqual(diags.map((d) => d.line), [2, 5]);
});

test('property aliases and vendor prefixes map to the right features', () => {
  const radius = 'is not supported by Outlook (Windows), Outlook (Windows Mail)';
  assert.deepEqual(messages([prop('-webkit-border-radius')]), [`CSS "-webkit-border-radius" ${radius}`]);
  assert.deepEqual(messages([prop('border-top-left-radius')]), [`CSS "border-top-left-radius" ${radius}`]);
  // background-image has its own feature (n in both Windows Outlooks); background-color is supported everywhere.
  assert.deepEqual(messages([prop('background-image')]), [`CSS "background-image" ${radius}`]);
  assert.deepEqual(messages([prop('background-color'), prop('background-attachment')]), []);
  // word-wrap: n in Outlook Windows, Windows Mail and Android.
  assert.deepEqual(messages([prop('word-wrap')]), ['CSS "word-wrap" is not supported by Outlook (Windows), Outlook (Windows Mail), Outlook (Android)']);
  // border-*, margin-*, padding-* and display only have partial gaps ("a").
  assert.deepEqual(messages([prop('border-bottom-color'), prop('border-top'), prop('margin-top'), prop('padding-left'), prop('display')]), []);
  // left/right/top/bottom share one feature; Apple Mail and the non-Windows Outlooks support it.
  const [bottom = ''] = messages([prop('bottom')]);
  assert.ok(bottom.startsWith('CSS "bottom" is not supported by Gmail (desktop webmail)'));
  assert.ok(!bottom.includes('Apple Mail') && !bottom.includes('Outlook.com'));
  // Custom properties map to css-variables, supported by Apple Mail only.
  const [custom = ''] = messages([prop('--brand')]);
  assert.ok(custom.includes('Outlook (Windows)') && !custom.includes('Apple Mail'));
});

test('the latest version is the last one in the file, not the last after JSON.parse reorders numeric keys', () => {
  // css-margin-block-start-end, Apple Mail iOS: {"11.4": "n", "12": …, "15": "y"} in the file.
  // JSON.parse would iterate "12".."15" first and end on "11.4" ("n"), wrongly flagging Apple Mail (iOS).
  const [m = ''] = messages([prop('margin-block-start')]);
  assert.ok(m.includes('Outlook (Windows)'));
  assert.ok(!m.includes('Apple Mail'), m);
});

test('CSS in <mj-style> ignores selectors, media query conditions, comments and strings', () => {
  const source = [
    '<mj-style inline="inline">',
    '  /* .x { z-index: 1 } */',
    '  a:hover, .b::before { content: "a;b{c}"; color: red }',
    '  @media (max-width: 480px) { .c { background: url(data:image/png;base64,AAAA) } }',
    '</mj-style>',
    '<mj-text css-class="x">after</mj-text>',
  ].join('\n');
  assert.deepEqual(templateFeatures(source), [prop('content', 3), prop('color', 3), at('@media', 4), prop('background', 4)]);
});

// A client without dark mode shows the light email as designed: nothing to warn about (issue 14). What the block
// sets is still checked, and a query that asks for more than the colour scheme is still an @media.
test('dark-mode CSS is an enhancement: prefers-color-scheme blocks and color-scheme declarations are not reported', () => {
  const source = [
    '<mj-style>',
    '  :root { color-scheme: light dark; supported-color-schemes: light dark; }',
    '  @media (prefers-color-scheme: dark) { .c { background-color: #000 !important; position: relative } }',
    '  @media (prefers-color-scheme: dark) and (max-width: 480px) { .d { color: #fff } }',
    '</mj-style>',
  ].join('\n');
  assert.deepEqual(templateFeatures(source), [prop('background-color', 3), prop('position', 3), at('@media', 4), prop('color', 4)]);
});

test('properties in a raw element\'s style attribute are found; mj-* style-like attributes are not', () => {
  assert.deepEqual(templateFeatures('<mj-section css-class="a" padding="0"><mj-text color="red" font-size="2px">x</mj-text></mj-section>'), []);
  assert.deepEqual(templateFeatures('<td style="opacity:.5;-webkit-transform:none">'), [el('td'), prop('opacity'), prop('-webkit-transform')]);
});

// What made it fast is asserted as behaviour (the data read once, below; the same answer warm as cold), not timed:
// speed is for benchmarks (issue 12, finding 18).
test('compatDiagnostics gives the same answer warm as cold, call after call', () => {
  const names = ['border-radius', 'color', 'width', 'position', 'top', 'margin-top', 'padding', 'background-image', 'display', 'opacity'];
  const features: Feature[] = [];
  for (let i = 0; i < 40; i++) features.push(prop(names[i % names.length]!, i + 1));
  for (const tag of ['p', 'a', 'table', 'td', 'tr', 'img', 'section', 'link', 'blockquote', 'h1']) features.push(el(tag, 99));
  const cold = compatDiagnostics(F, features); // loads the data and fills the name cache
  assert.ok(cold.length > 0, 'position and link are flagged');
  for (let i = 0; i < 200; i++) assert.deepEqual(compatDiagnostics(F, features), cold);
});

test('the caniemail data is not read at import time, and is read only once', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const script = `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    const original = fs.readFileSync;
    let reads = 0;
    fs.readFileSync = (...args) => { if (String(args[0]).includes('caniemail')) reads++; return original(...args); };
    syncBuiltinESMExports();
    const m = await import('./src/checks/compat.ts');
    const t = await import('./src/checks/template-features.ts');
    const afterImport = reads;
    t.templateFeatures('<p style="color:red">x</p>');
    const afterScan = reads;
    m.compatDiagnostics('f', [{ kind: 'property', name: 'border-radius', line: 1 }]);
    m.compatDiagnostics('f', [{ kind: 'element', name: 'link', line: 1 }]);
    console.log(JSON.stringify([afterImport, afterScan, reads]));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim()), [0, 0, 1]);
});
