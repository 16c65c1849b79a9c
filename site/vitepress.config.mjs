// VitePress configuration; scripts/collect.mjs copies it to target/src/.vitepress/ next to the
// generated sidebar. Local search (MiniSearch, in the browser): no service to call.
import { defineConfig } from 'vitepress';
import sidebar from './sidebar.json' with { type: 'json' };

export default defineConfig({
  title: 'Corral',
  description: 'An embeddable WebAssembly plugin sandbox for the JVM',
  cleanUrls: false,
  lastUpdated: false,
  // the javadoc is plain files under public/: the browser test checks those links
  ignoreDeadLinks: [/^\/javadoc\//],
  markdown: { languageAlias: { wat: 'wasm' } },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'Modules', link: '/core/' },
      { text: 'Guest ABI', link: '/guest-sdks/ABI' },
      { text: 'Javadoc', link: '/api' },
    ],
    sidebar,
    search: { provider: 'local' },
    outline: 'deep',
  },
});
