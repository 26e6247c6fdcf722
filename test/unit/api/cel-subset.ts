// A small interpreter for the subset of CEL the CRD rules use, so unit tests can run every rule against
// the sample manifests without an apiserver. It is a test aid, not a CEL implementation: anything outside
// the subset throws `CelUnsupported`, so a rule that uses more fails the tests instead of passing them
// silently. The real check is the apiserver (integration tests apply config/samples/invalid).
//
// Subset: literals (int, string with '…' or "…", true/false/null, lists), identifiers, field selection,
// indexing, has(), the macros exists/all, the methods size/startsWith/endsWith/contains/matches, the
// function size, operators ! - * / % + < <= > >= == != in && || ?:. Errors follow CEL: `a || b` is true
// when either side is true even if the other errs, and likewise `a && b` is false when either side is false.

export class CelUnsupported extends Error {}

/** An evaluation error (no such key, wrong type): the apiserver would report the rule as failed. */
export class CelError extends Error {}

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

const ops = ['&&', '||', '==', '!=', '<=', '>=', '!', '<', '>', '+', '-', '*', '/', '%', '?', ':', '(', ')', '[', ']', ',', '.'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9]/.test(src.charAt(j))) j++;
      if (src.charAt(j) === '.' && /[0-9]/.test(src.charAt(j + 1))) throw new CelUnsupported('double literals');
      out.push({ kind: 'num', value: Number(src.slice(i, j)) });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src.charAt(j))) j++;
      out.push({ kind: 'id', value: src.slice(i, j) });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src.charAt(j) !== c) {
        if (src.charAt(j) === '\\') throw new CelUnsupported('escapes in string literals');
        s += src.charAt(j);
        j++;
      }
      if (j >= src.length) throw new CelUnsupported('unterminated string');
      out.push({ kind: 'str', value: s });
      i = j + 1;
      continue;
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new CelUnsupported(`character ${c} at ${i}`);
    out.push({ kind: 'op', value: op });
    i += op.length;
  }
  return out;
}

type Node =
  | { t: 'lit'; value: unknown }
  | { t: 'id'; name: string }
  | { t: 'list'; items: Node[] }
  | { t: 'select'; target: Node; field: string }
  | { t: 'index'; target: Node; index: Node }
  | { t: 'has'; target: Node; field: string }
  | { t: 'call'; target: Node | null; name: string; args: Node[] }
  | { t: 'macro'; target: Node; name: 'exists' | 'all'; v: string; body: Node }
  | { t: 'unary'; op: '!' | '-'; arg: Node }
  | { t: 'binary'; op: string; left: Node; right: Node }
  | { t: 'cond'; test: Node; then: Node; else: Node };

class Parser {
  private pos = 0;
  private readonly toks: Token[];
  constructor(src: string) {
    this.toks = tokenize(src);
  }

  parse(): Node {
    const n = this.expr();
    if (this.pos !== this.toks.length) throw new CelUnsupported(`trailing input at token ${this.pos}`);
    return n;
  }

  private peek(): Token | undefined {
    return this.toks[this.pos];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && t.value === v;
  }

  private eat(v: string): void {
    if (!this.isOp(v)) throw new CelUnsupported(`expected ${v} at token ${this.pos}`);
    this.pos++;
  }

  private expr(): Node {
    const test = this.or();
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.or();
    this.eat(':');
    return { t: 'cond', test, then, else: this.expr() };
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      left = { t: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.isOp('&&')) {
      this.pos++;
      left = { t: 'binary', op: '&&', left, right: this.relation() };
    }
    return left;
  }

  private relation(): Node {
    let left = this.addition();
    for (;;) {
      const t = this.peek();
      const op =
        t?.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.value)
          ? t.value
          : t?.kind === 'id' && t.value === 'in'
            ? 'in'
            : null;
      if (op === null) return left;
      this.pos++;
      left = { t: 'binary', op, left, right: this.addition() };
    }
  }

  private addition(): Node {
    let left = this.multiplication();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.toks[this.pos++] as Token).value as string;
      left = { t: 'binary', op, left, right: this.multiplication() };
    }
    return left;
  }

  private multiplication(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.toks[this.pos++] as Token).value as string;
      left = { t: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('!')) {
      this.pos++;
      return { t: 'unary', op: '!', arg: this.unary() };
    }
    if (this.isOp('-')) {
      this.pos++;
      return { t: 'unary', op: '-', arg: this.unary() };
    }
    return this.member();
  }

  private args(): Node[] {
    const out: Node[] = [];
    this.eat('(');
    if (this.isOp(')')) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.expr());
      if (this.isOp(')')) {
        this.pos++;
        return out;
      }
      this.eat(',');
    }
  }

  private member(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const id = this.toks[this.pos++];
        if (id?.kind !== 'id') throw new CelUnsupported('expected a field or method name');
        if (this.isOp('(')) {
          if (id.value === 'exists' || id.value === 'all') {
            const a = this.args();
            const v = a[0];
            if (a.length !== 2 || v?.t !== 'id') throw new CelUnsupported(`${id.value} needs (var, predicate)`);
            n = { t: 'macro', target: n, name: id.value, v: v.name, body: a[1] as Node };
          } else {
            n = { t: 'call', target: n, name: id.value, args: this.args() };
          }
        } else {
          n = { t: 'select', target: n, field: id.value };
        }
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.expr();
        this.eat(']');
        n = { t: 'index', target: n, index };
      } else {
        return n;
      }
    }
  }

  private primary(): Node {
    const t = this.toks[this.pos++];
    if (t === undefined) throw new CelUnsupported('unexpected end');
    if (t.kind === 'num' || t.kind === 'str') return { t: 'lit', value: t.value };
    if (t.kind === 'id') {
      if (t.value === 'true') return { t: 'lit', value: true };
      if (t.value === 'false') return { t: 'lit', value: false };
      if (t.value === 'null') return { t: 'lit', value: null };
      if (this.isOp('(')) {
        const a = this.args();
        if (t.value === 'has') {
          const sel = a[0];
          if (a.length !== 1 || sel?.t !== 'select') throw new CelUnsupported('has() needs a field selection');
          return { t: 'has', target: sel.target, field: sel.field };
        }
        return { t: 'call', target: null, name: t.value, args: a };
      }
      return { t: 'id', name: t.value };
    }
    if (t.value === '(') {
      const n = this.expr();
      this.eat(')');
      return n;
    }
    if (t.value === '[') {
      const items: Node[] = [];
      if (this.isOp(']')) {
        this.pos++;
        return { t: 'list', items };
      }
      for (;;) {
        items.push(this.expr());
        if (this.isOp(']')) {
          this.pos++;
          return { t: 'list', items };
        }
        this.eat(',');
      }
    }
    throw new CelUnsupported(`unexpected ${t.value}`);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return a === b;
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new CelError(`no such overload: expected bool, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new CelError(`no such overload: expected string, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new CelError(`no such overload: expected int, got ${JSON.stringify(v)}`);
  return v;
}

type Env = Readonly<Record<string, unknown>>;

function tryEval(n: Node, env: Env): { ok: true; value: unknown } | { ok: false; error: CelError } {
  try {
    return { ok: true, value: evaluate(n, env) };
  } catch (e) {
    if (e instanceof CelError) return { ok: false, error: e };
    throw e;
  }
}

function evaluate(n: Node, env: Env): unknown {
  switch (n.t) {
    case 'lit':
      return n.value;
    case 'id':
      if (!(n.name in env)) throw new CelUnsupported(`undeclared reference ${n.name}`);
      return env[n.name];
    case 'list':
      return n.items.map((i) => evaluate(i, env));
    case 'select': {
      const target = evaluate(n.target, env);
      if (!isMap(target)) throw new CelError(`cannot select ${n.field} from ${JSON.stringify(target)}`);
      if (!(n.field in target)) throw new CelError(`no such key: ${n.field}`);
      return target[n.field];
    }
    case 'index': {
      const target = evaluate(n.target, env);
      const index = evaluate(n.index, env);
      if (Array.isArray(target)) {
        const i = num(index);
        if (i < 0 || i >= target.length) throw new CelError(`index out of range: ${i}`);
        return target[i];
      }
      if (isMap(target)) {
        const k = str(index);
        if (!(k in target)) throw new CelError(`no such key: ${k}`);
        return target[k];
      }
      throw new CelError('cannot index');
    }
    case 'has': {
      const target = evaluate(n.target, env);
      if (!isMap(target)) throw new CelError(`has() on ${JSON.stringify(target)}`);
      return n.field in target;
    }
    case 'macro': {
      const target = evaluate(n.target, env);
      if (!Array.isArray(target)) throw new CelError(`${n.name} on a non-list`);
      // Errors inside are absorbed when another element decides the result, as in CEL.
      let error: CelError | null = null;
      for (const item of target) {
        const r = tryEval(n.body, { ...env, [n.v]: item });
        if (!r.ok) {
          error = r.error;
          continue;
        }
        const b = bool(r.value);
        if (n.name === 'exists' && b) return true;
        if (n.name === 'all' && !b) return false;
      }
      if (error !== null) throw error;
      return n.name === 'all';
    }
    case 'call': {
      const args = n.args.map((a) => evaluate(a, env));
      if (n.target === null) {
        if (n.name === 'size' && args.length === 1) return sizeOf(args[0]);
        throw new CelUnsupported(`function ${n.name}`);
      }
      const target = evaluate(n.target, env);
      switch (n.name) {
        case 'size':
          return sizeOf(target);
        case 'startsWith':
          return str(target).startsWith(str(args[0]));
        case 'endsWith':
          return str(target).endsWith(str(args[0]));
        case 'contains':
          return str(target).includes(str(args[0]));
        case 'matches':
          // CEL matches is RE2 partial matching, like RegExp.test without flags for the patterns used.
          return new RegExp(str(args[0]), 'u').test(str(target));
        default:
          throw new CelUnsupported(`method ${n.name}`);
      }
    }
    case 'unary':
      return n.op === '!' ? !bool(evaluate(n.arg, env)) : -num(evaluate(n.arg, env));
    case 'cond':
      return bool(evaluate(n.test, env)) ? evaluate(n.then, env) : evaluate(n.else, env);
    case 'binary':
      return binary(n.op, n.left, n.right, env);
  }
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new CelError('size() of a scalar');
}

function binary(op: string, l: Node, r: Node, env: Env): unknown {
  if (op === '||' || op === '&&') {
    const short = op === '||';
    const a = tryEval(l, env);
    if (a.ok && bool(a.value) === short) return short;
    const b = tryEval(r, env);
    if (b.ok && bool(b.value) === short) return short;
    if (!a.ok) throw a.error;
    if (!b.ok) throw b.error;
    return !short;
  }
  const a = evaluate(l, env);
  const b = evaluate(r, env);
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => deepEqual(x, a));
      if (isMap(b)) return str(a) in b;
      throw new CelError('in on a scalar');
    case '<':
      return num(a) < num(b);
    case '<=':
      return num(a) <= num(b);
    case '>':
      return num(a) > num(b);
    case '>=':
      return num(a) >= num(b);
    case '+':
      if (typeof a === 'string') return a + str(b);
      return num(a) + num(b);
    case '-':
      return num(a) - num(b);
    case '*':
      return num(a) * num(b);
    case '/':
      return Math.trunc(num(a) / num(b));
    case '%':
      return num(a) % num(b);
    default:
      throw new CelUnsupported(`operator ${op}`);
  }
}

const compiled = new Map<string, Node>();

/** Parses a rule (cached). Throws CelUnsupported when it leaves the subset. */
export function compile(rule: string): Node {
  let n = compiled.get(rule);
  if (n === undefined) {
    n = new Parser(rule).parse();
    compiled.set(rule, n);
  }
  return n;
}

/** true/false, or a CelError when evaluation fails (the apiserver rejects with an evaluation error). */
export function evaluateRule(rule: string, vars: Env): boolean | CelError {
  const r = tryEval(compile(rule), vars);
  if (!r.ok) return r.error;
  return bool(r.value);
}

/** Whether a rule reads oldSelf: a transition rule, evaluated only on update. */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}
