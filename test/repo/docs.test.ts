/**
 * The README and docs/ as GitHub renders them (CommonMark, parsed by markdown-it): headings are
 * headings, every code fence closes where it should, every link inside the repository leads
 * somewhere, and the generated tables are current.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { withSettingsTable } from '../../src/settings/settings-table.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const md = new MarkdownIt();

interface Outline {
  readonly headings: { level: number; text: string; line: number }[];
  readonly links: { href: string; line: number }[];
  readonly fences: { info: string; content: string; line: number }[];
}

function outline(text: string): Outline {
  const tokens = md.parse(text, {});
  const result: Outline = { headings: [], links: [], fences: [] };
  tokens.forEach((t, i) => {
    const line = (t.map?.[0] ?? 0) + 1;
    if (t.type === 'heading_open') result.headings.push({ level: Number(t.tag.slice(1)), text: tokens[i + 1]!.content, line });
    if (t.type === 'fence') result.fences.push({ info: t.info.trim(), content: t.content, line });
    for (const child of t.children ?? []) if (child.type === 'link_open') result.links.push({ href: child.attrGet('href') ?? '', line });
  });
  return result;
}

/** The anchor GitHub gives a heading: lower-case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

describe('the README and docs/', () => {
  it('the README is short and starts where a newcomer does', () => {
    const readme = read('README.md');
    assert.ok(readme.split('\n').length < 200, 'README.md is over 200 lines: move reference material to docs/');
    const sections = outline(readme).headings.filter((h) => h.level === 2).map((h) => h.text);
    assert.deepEqual(sections.slice(0, 4), ['Install', 'Quickstart', 'Deploy your project', 'Documentation']);
    assert.match(readme, /^npm ci && scripts\/demo\.sh/m);
    assert.match(readme, /^npm ci && npm test/m);
  });

  for (const doc of DOCS) {
    describe(doc, () => {
      const text = read(doc);
      const { headings, links, fences } = outline(text);

      it('has one title, and headings that go down one level at a time', () => {
        assert.equal(headings.filter((h) => h.level === 1).length, 1, 'one # heading');
        assert.equal(headings[0]?.level, 1, 'the # heading comes first');
        for (const [prev, h] of headings.slice(1).map((h, i) => [headings[i]!, h] as const)) {
          assert.ok(h.level <= prev.level + 1, `line ${h.line}: "${h.text}" skips a level after "${prev.text}"`);
        }
      });

      it('labels every code block with its language, and no block swallows a fence line', () => {
        for (const f of fences) {
          assert.notEqual(f.info, '', `line ${f.line}: a code block without a language (\`\`\`sh, yaml, json, text…) is often a closing fence read as an opening one`);
          const stray = f.content.split('\n').find((l) => /^\s*(```|~~~)/.test(l));
          assert.equal(stray, undefined, `line ${f.line}: the block contains the fence line "${stray}": is there text after a closing fence?`);
        }
      });

      it('links to files and headings that exist', () => {
        const targets = new Set<string>();
        for (const { href, line } of links) {
          if (/^[a-z]+:/i.test(href)) continue; // https:, mailto:
          const [path, hash] = href.split('#') as [string, string | undefined];
          const file = path ? join(dirname(join(ROOT, doc)), decodeURIComponent(path)) : join(ROOT, doc);
          assert.ok(existsSync(file), `line ${line}: ${href} leads nowhere (${relative(ROOT, file)})`);
          if (hash !== undefined && file.endsWith('.md')) {
            const anchors = outline(readFileSync(file, 'utf8')).headings.map((h) => anchor(h.text));
            assert.ok(anchors.includes(hash), `line ${line}: ${href}: ${relative(ROOT, file)} has no heading #${hash} (it has ${anchors.join(', ')})`);
          }
          targets.add(relative(ROOT, file));
        }
        if (doc === 'README.md') {
          const unlinked = DOCS.filter((d) => d !== 'README.md' && !targets.has(d));
          assert.deepEqual(unlinked, [], 'every page of docs/ is linked from the README');
        }
      });
    });
  }

  it('docs/settings.md has the settings table of the declarations (run `npm run docs` after changing one)', () => {
    const settings = read('docs/settings.md');
    assert.equal(settings, withSettingsTable(settings));
  });

  it('the README gives the test command and every dependency a reason', () => {
    const readme = read('README.md');
    const pkg = JSON.parse(read('package.json'));
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      assert.match(readme, new RegExp(`\\| \`${dep}\` \\|`), `README's dependency table lacks ${dep}`);
    }
  });

  it('docs/deploy.md has a row for every exit code nom uses', async () => {
    const { EXIT } = await import('../../src/cli/exit-codes.js');
    const deploy = read('docs/deploy.md');
    for (const code of new Set(Object.values(EXIT))) assert.match(deploy, new RegExp(`^\\| ${code} \\|`, 'm'), `exit code ${code} is not in docs/deploy.md`);
  });
});
