// Fails when any installed package declares a Node engine range that excludes the oldest Node
// this service supports (package.json engines, today 20.19): it must run on the Node 20 machines.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import semver from 'semver';

const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const oldest = semver.minVersion(own.engines.node).version;
const tree = JSON.parse(
  execFileSync('npm', ['query', '*'], { encoding: 'utf8', maxBuffer: 1 << 28 }),
);
const bad = tree.filter((p) => p.engines?.node && !semver.satisfies(oldest, p.engines.node));
for (const p of bad)
  console.error(`${p.name}@${p.version} needs node ${p.engines.node} (${p.location})`);
console.log(`${tree.length} packages checked against node ${oldest}: ${bad.length} incompatible`);
process.exit(bad.length > 0 ? 1 : 0);
