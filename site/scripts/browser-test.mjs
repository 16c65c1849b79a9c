// The built site in Debian's Chromium (headless, driven by playwright-core; Playwright's own browser
// downloads are not used): every page reachable from the front page renders (200, a heading, no
// page error), no internal link is broken (pages, anchors' pages, javadoc files), the search box
// finds "fuel", and a screenshot of the front page is kept in site/target/front-page.png.
// Exit code 0 only when all of that holds; prints "N passed, N failed".
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const site = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(site, 'target', 'src', '.vitepress', 'dist');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.txt': 'text/plain' };

function fileFor(urlPath) {
  let p = decodeURIComponent(urlPath.split('?')[0]);
  if (p.endsWith('/')) p += 'index.html';
  let f = path.join(dist, path.normalize(p));
  if (!f.startsWith(dist)) return null;
  if (!fs.existsSync(f) && fs.existsSync(f + '.html')) f += '.html';
  return fs.existsSync(f) && fs.statSync(f).isFile() ? f : null;
}

const server = http.createServer((req, res) => {
  const f = fileFor(req.url);
  if (!f) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': TYPES[path.extname(f)] || 'application/octet-stream' });
  fs.createReadStream(f).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const results = [];
const check = (name, ok, detail = '') => {
  results.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
};

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // crawl every internal page from the front page
  const seen = new Set(['/']);
  const queue = ['/'];
  const linkedFrom = new Map();
  let pages = 0;
  while (queue.length) {
    const url = queue.shift();
    if (url.startsWith('/javadoc/')) {
      const r = await page.request.get(base + url);
      check(`javadoc ${url}`, r.status() === 200, `${r.status()}, linked from ${linkedFrom.get(url)}`);
      continue;
    }
    errors.length = 0;
    const r = await page.goto(base + url, { waitUntil: 'load' });
    const heading = await page.locator('.vp-doc h1, .VPHome h1').first().textContent({ timeout: 5000 }).catch(() => null);
    pages++;
    check(`page ${url}`, r && r.status() === 200 && heading && errors.length === 0,
      `status ${r && r.status()}, heading ${JSON.stringify(heading)}${errors.length ? ', errors ' + errors.join('; ') : ''}${linkedFrom.has(url) ? ', linked from ' + linkedFrom.get(url) : ''}`);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const href of hrefs) {
      if (!href.startsWith(base)) continue;
      const u = new URL(href);
      const p = u.pathname;
      if (!seen.has(p)) {
        seen.add(p);
        linkedFrom.set(p, url);
        queue.push(p);
      }
    }
  }
  check('the crawl reached the guide, the module READMEs and the ABI', pages >= 15 && seen.has('/guest-sdks/ABI.html')
    && seen.has('/core/') && seen.has('/getting-started.html'), `${pages} pages`);

  // search: the local search box finds "fuel"
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.locator('.VPNavBarSearch button').first().click();
  await page.locator('.VPLocalSearchBox input').fill('fuel');
  const hits = page.locator('.VPLocalSearchBox .result');
  await hits.first().waitFor({ timeout: 10000 }).catch(() => {});
  const count = await hits.count();
  const texts = count ? await hits.allTextContents() : [];
  check('search finds "fuel"', count > 0 && texts.some((t) => /fuel/i.test(t)), `${count} results`);
  await page.keyboard.press('Escape');

  // the front page, kept as a build artifact
  await page.goto(base + '/', { waitUntil: 'load' });
  const shot = path.join(site, 'target', 'front-page.png');
  await page.screenshot({ path: shot, fullPage: false });
  check('front-page screenshot', fs.statSync(shot).size > 10000, shot);
} finally {
  await browser.close();
  server.close();
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
