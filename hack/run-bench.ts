// `npm run bench -- <name> [flags]`: runs bench/<name>.ts (each prints one JSON object).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, ...rest] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'bench', `${name ?? ''}.ts`);
if (!name || !existsSync(file)) {
  console.error('usage: npm run bench -- <issuance|...> [flags]');
  process.exit(2);
}
const r = spawnSync(process.execPath, [file, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
