// docs/testing.md shows the to-do partition test as it is: the file npm test runs.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

it("docs/testing.md embeds the to-do partition test word for word, and the test stays within 40 lines", () => {
  const spec = read('./browser/todo-partition.spec.ts');
  const doc = read('../../../docs/testing.md');
  const section = doc.slice(doc.indexOf("## Test partitions between your app's tabs"));
  expect(section).not.toBe(doc);
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toContain(spec);
  expect(spec.trimEnd().split('\n').length).toBeLessThanOrEqual(40);
});
