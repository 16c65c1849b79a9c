// Lays out the site's sources under site/target/src for VitePress: the guide (site/*.md) at the
// root, every other Markdown page of the repository (module READMEs, FUEL.md, the guest ABI) at its
// repository path (a README becomes its directory's index), relative links rewritten to the pages
// they point to, links to source files turned into links to the repository, and the javadoc of each
// published module under /javadoc/<artifactId>/. Writes the sidebar next to the config.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const site = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.dirname(site);
const out = path.join(site, 'target', 'src');
const repoUrl = 'https://github.com/corral-dev/corral/blob/main/';

const SKIP_DIRS = new Set(['node_modules', 'target', 'out', '.git', '.mvn', '.ci', 'notes', '.idea', '.vscode']);

function walk(dir, found = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, found);
    else if (e.name.endsWith('.md')) found.push(path.relative(root, p).split(path.sep).join('/'));
  }
  return found;
}

/** Repository path of a page -> its path in the site's source tree. */
function sitePath(repoPath) {
  if (repoPath.startsWith('site/')) return repoPath.slice('site/'.length);
  if (repoPath === 'README.md') return 'overview.md';
  if (repoPath.endsWith('/README.md')) return repoPath.slice(0, -'README.md'.length) + 'index.md';
  return repoPath;
}

const pages = walk(root).filter((p) => !p.startsWith('site/') || !p.slice(5).includes('/'));
const bySource = new Map(pages.map((p) => [p, sitePath(p)]));

function rewriteLink(fromRepo, target) {
  if (/^[a-z]+:/i.test(target) || target.startsWith('#') || target.startsWith('/')) return target;
  const hash = target.indexOf('#');
  const file = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? '' : target.slice(hash);
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(fromRepo), file));
  if (bySource.has(resolved)) {
    let rel = path.posix.relative(path.posix.dirname(bySource.get(fromRepo)), bySource.get(resolved));
    if (!rel.startsWith('.')) rel = './' + rel;
    return rel + anchor;
  }
  const dirReadme = resolved.replace(/\/$/, '') + '/README.md';
  if (bySource.has(dirReadme)) return rewriteLink(fromRepo, path.posix.relative(path.posix.dirname(fromRepo), dirReadme) + anchor);
  if (fs.existsSync(path.join(root, resolved))) return repoUrl + resolved + anchor; // source files, LICENSE
  return target; // dead: VitePress and the browser test report it
}

function rewrite(fromRepo, text) {
  // links outside fenced code; inline code spans are left alone by the pattern (no ']( ' inside them)
  return text.split(/(^```[\s\S]*?^```$)/m).map((part, i) => (i % 2 === 1 ? part
    : part.replace(/\]\(([^)\s]+)\)/g, (m, t) => '](' + rewriteLink(fromRepo, t) + ')'))).join('');
}

function title(text, fallback) {
  const m = text.match(/^# (.+)$/m);
  return m ? m[1].replace(/`/g, '') : fallback;
}

fs.rmSync(out, { recursive: true, force: true });
const meta = [];
for (const [repo, dest] of bySource) {
  const text = fs.readFileSync(path.join(root, repo), 'utf8');
  const target = path.join(out, dest);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, rewrite(repo, text));
  meta.push({ repo, link: '/' + dest.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, ''), title: title(text, repo) });
}

// javadoc of the published modules, as the build made it (mvn package runs before this script)
const javadoc = [];
for (const dir of fs.readdirSync(root)) {
  const docs = path.join(root, dir, 'target', 'reports', 'apidocs');
  const pom = path.join(root, dir, 'pom.xml');
  if (!fs.existsSync(path.join(docs, 'index.html')) || !fs.existsSync(pom)) continue;
  const artifact = fs.readFileSync(pom, 'utf8').replace(/<parent>[\s\S]*?<\/parent>/, '').match(/<artifactId>([^<]+)<\/artifactId>/)[1];
  fs.cpSync(docs, path.join(out, 'public', 'javadoc', artifact), { recursive: true });
  javadoc.push(artifact);
}
javadoc.sort();
fs.writeFileSync(path.join(out, 'api.md'), '# API reference (javadoc)\n\n'
  + 'The javadoc of each published module, as the build generated it:\n\n'
  + (javadoc.length ? javadoc.map((a) => `- [${a}](/javadoc/${a}/index.html){target="_self"}`).join('\n')
    : '(none: run `./mvnw -B package` before building the site)') + '\n');

// sidebar: the guide in its order, then modules, guest SDKs, samples, API
const guideOrder = ['index', 'getting-started', 'host-apis', 'pools', 'security', 'observability', 'performance'];
const guide = meta.filter((m) => m.repo.startsWith('site/'))
  .sort((a, b) => (guideOrder.indexOf(path.basename(a.repo, '.md')) + 100) % 100 - (guideOrder.indexOf(path.basename(b.repo, '.md')) + 100) % 100
    || a.repo.localeCompare(b.repo));
const group = (f) => meta.filter(f).sort((a, b) => a.repo.localeCompare(b.repo)).map(({ title: text, link }) => ({ text, link }));
const sidebar = [
  { text: 'Guide', items: guide.map(({ title: text, link }) => ({ text, link })) },
  { text: 'Project', items: group((m) => m.repo === 'README.md') },
  { text: 'Modules', items: group((m) => !m.repo.startsWith('site/') && !m.repo.startsWith('guest-sdks/') && !m.repo.startsWith('samples/') && m.repo !== 'README.md') },
  { text: 'Guest SDKs and ABI', items: group((m) => m.repo.startsWith('guest-sdks/')) },
  { text: 'Samples', items: group((m) => m.repo.startsWith('samples/')) },
  { text: 'API', items: [{ text: 'Javadoc', link: '/api' }] },
];
fs.mkdirSync(path.join(out, '.vitepress'), { recursive: true });
fs.writeFileSync(path.join(out, '.vitepress', 'sidebar.json'), JSON.stringify(sidebar, null, 2));
fs.copyFileSync(path.join(site, 'vitepress.config.mjs'), path.join(out, '.vitepress', 'config.mjs'));
console.log(`site: ${meta.length} pages, javadoc for ${javadoc.join(', ') || 'no module'}`);
