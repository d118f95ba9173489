// Self time by function (and by file) from a V8 .cpuprofile, top 40.
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const profile = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const files = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const dt = profile.timeDeltas[i] ?? 0;
  if (!node) return;
  total += dt;
  const file = node.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|functions|test)\//, '$1/') || '(native)';
  const key = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  files.set(file, (files.get(file) ?? 0) + dt);
});
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
console.log(`total ${(total / 1000).toFixed(0)} ms\n-- functions`);
console.log(top(self, Number(process.argv[3] ?? '40')).join('\n'));
console.log('-- files');
console.log(top(files, 20).join('\n'));
