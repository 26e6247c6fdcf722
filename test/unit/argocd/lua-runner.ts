// Runs an Argo CD health script (config/argocd/health/*.lua) the way Argo CD does: the resource is the
// global `obj`, the script's top level returns a table {status, message}. Two engines:
// - fengari (npm, a Lua 5.3 VM in JavaScript; always used, so the tests need nothing from apt), with
//   Argo CD's sandbox: only the base and table libraries are open (Argo CD adds `package` and a safe
//   `os`, which the scripts do not use). A script that reaches for string.* or math.* fails here as it
//   would in Argo CD.
// - a Lua interpreter on PATH (Debian's lua5.4 / lua5.3 / lua5.1), when there is one, as a cross-check
//   with the C implementation; the program it runs is cliProgram().
// Objects cross as Lua table constructors built from the JSON value (fengari has no JSON library).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fengari from 'fengari';
import type { LuaState } from 'fengari';

export interface HealthStatus {
  status: string;
  message: string;
}

/** The statuses Argo CD accepts from a health script; anything else becomes Unknown. */
export const argoHealthStatuses = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'] as const;

/** A Lua string literal holding the UTF-8 bytes of `s` (decimal escapes: valid in Lua 5.1 to 5.4). */
export function luaString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * A Lua expression for a JSON value, as Argo CD decodes objects: maps become tables keyed by string,
 * arrays 1-based sequences, null and undefined fields are absent (nil).
 */
export function toLuaLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${v} has no JSON form`);
    return String(v);
  }
  if (typeof v === 'string') return luaString(v);
  if (Array.isArray(v)) return `{${v.map((x) => toLuaLiteral(x)).join(', ')}}`;
  if (typeof v === 'object') {
    const fields = Object.entries(v).filter(([, x]) => x !== undefined && x !== null).map(([k, x]) => `[${luaString(k)}] = ${toLuaLiteral(x)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`a ${typeof v} has no JSON form`);
}

const { lua, lauxlib, lualib, to_luastring } = fengari;

function check(L: LuaState, code: number, what: string): void {
  if (code === lua.LUA_OK) return;
  const detail = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : `status ${code}`;
  throw new Error(`${what}: ${detail}`);
}

function stringField(L: LuaState, key: string, required: boolean): string {
  const t = lua.lua_getfield(L, -1, to_luastring(key));
  try {
    if (t === lua.LUA_TSTRING) return lua.lua_tojsstring(L, -1);
    if (t === lua.LUA_TNIL && !required) return '';
    throw new Error(`hs.${key} is not a string (Lua type ${t})`);
  } finally {
    lua.lua_pop(L, 1);
  }
}

/** Runs `script` with `obj` in fengari, with only the libraries Argo CD opens for custom checks. */
export function runHealthFengari(script: string, obj: unknown, options: { openLibs?: boolean; prelude?: string } = {}): HealthStatus {
  const L = lauxlib.luaL_newstate();
  try {
    if (options.openLibs) {
      lualib.luaL_openlibs(L);
    } else {
      lauxlib.luaL_requiref(L, to_luastring('_G'), lualib.luaopen_base, 1);
      lauxlib.luaL_requiref(L, to_luastring('table'), lualib.luaopen_table, 1);
    }
    lua.lua_settop(L, 0);
    const setup = `${options.prelude ?? ''}\nobj = ${toLuaLiteral(obj)}\n`;
    check(L, lauxlib.luaL_loadstring(L, to_luastring(setup)), 'loading obj');
    check(L, lua.lua_pcall(L, 0, 0, 0), 'setting obj');
    check(L, lauxlib.luaL_loadstring(L, to_luastring(script)), 'loading the script');
    check(L, lua.lua_pcall(L, 0, 1, 0), 'running the script');
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) throw new Error('the script did not return a table');
    return { status: stringField(L, 'status', true), message: stringField(L, 'message', false) };
  } finally {
    lua.lua_close(L);
  }
}

/**
 * The program a Lua interpreter runs for one check: `obj` as a global, the script as the body of a
 * function (its top-level `return hs` returns from it), the result on stdout as "status<TAB>message".
 */
export function cliProgram(script: string, obj: unknown): string {
  return [
    `obj = ${toLuaLiteral(obj)}`,
    'local function health()',
    script,
    'end',
    'local hs = health()',
    'io.write(tostring(hs.status), "\\t", tostring(hs.message or ""))',
    '',
  ].join('\n');
}

/** The first Lua interpreter on PATH, or null. */
export function findLuaInterpreter(): string | null {
  for (const name of ['lua5.4', 'lua5.3', 'lua5.1', 'lua']) {
    const r = spawnSync(name, ['-v'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return name;
  }
  return null;
}

/** Runs `script` with `obj` through an interpreter on PATH (a temporary file holds cliProgram()). */
export function runHealthCli(interpreter: string, script: string, obj: unknown): HealthStatus {
  const dir = mkdtempSync(join(tmpdir(), 'certhost-lua-'));
  try {
    const file = join(dir, 'health.lua');
    writeFileSync(file, cliProgram(script, obj));
    const r = spawnSync(interpreter, [file], { encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${interpreter} exited with ${r.status}: ${r.stderr}`);
    const tab = r.stdout.indexOf('\t');
    if (tab < 0) throw new Error(`unexpected output from ${interpreter}: ${r.stdout}`);
    return { status: r.stdout.slice(0, tab), message: r.stdout.slice(tab + 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
