// The argument contract of the public API, in one place. Every public function and
// constructor reads its options through `readOptions` (unknown keys are errors that name the
// closest valid key; each value is checked by type and range) and its PyTorch-style positional
// forms through `readArgs`, which maps them onto the same options object. The checks are small
// combinators (`is.int({ min: 1 })`, `is.oneOf([...])`) so that a function's options table is
// also its documentation.
import { ArgumentError, ShapeError, UnknownOptionError } from './errors.js';

/** Checks one value; `where` is `'fn: name'`. Returns the value (possibly normalised). */
export type Check<T> = (value: unknown, where: string) => T;

/** A table of option names to their checks. */
export type OptionSpec = Readonly<Record<string, Check<unknown>>>;

/** The checked options: each key optional, typed by its check. */
export type Checked<S extends OptionSpec> = { [K in keyof S]?: S[K] extends Check<infer T> ? T : never };

/** A short, safe description of what was given, for messages: `string "1"`, `null`, `array [2]`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : `number ${v}`;
  if (typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === null || proto === Object.prototype) return `object {${Object.keys(v as object).slice(0, 4).join(', ')}}`;
  const name = (proto.constructor as { name?: string } | undefined)?.name ?? 'object';
  return name === 'Tensor' ? `Tensor of shape [${(v as { shape: number[] }).shape.join(', ')}]` : `${name} instance`;
}

/** A plain `{…}` object (not an array, tensor, typed array or class instance). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function fail(where: string, want: string, v: unknown): never {
  const colon = where.indexOf(': ');
  const fn = colon < 0 ? where : where.slice(0, colon);
  const param = colon < 0 ? '' : where.slice(colon + 2);
  throw new ArgumentError(`${where} must be ${want}, got ${describe(v)}`, fn, param);
}

interface RangeOptions {
  min?: number;
  max?: number;
  /** Exclude the bound itself. */
  minOpen?: boolean;
  maxOpen?: boolean;
}

function rangeText({ min, max, minOpen, maxOpen }: RangeOptions): string {
  if (min !== undefined && max !== undefined) return ` in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
  if (min !== undefined) return ` ${minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return ` ${maxOpen ? '<' : '<='} ${max}`;
  return '';
}

function inRange(v: number, r: RangeOptions): boolean {
  if (r.min !== undefined && (r.minOpen ? !(v > r.min) : !(v >= r.min))) return false;
  if (r.max !== undefined && (r.maxOpen ? !(v < r.max) : !(v <= r.max))) return false;
  return true;
}

/** The checks options tables are built from. */
export const is = {
  boolean: ((v, where) => (typeof v === 'boolean' ? v : fail(where, 'a boolean (true or false)', v))) as Check<boolean>,

  string: ((v, where) => (typeof v === 'string' ? v : fail(where, 'a string', v))) as Check<string>,

  function: ((v, where) => (typeof v === 'function' ? v : fail(where, 'a function', v))) as Check<(...args: never[]) => unknown>,

  /** A finite number (unless `finite: false`; NaN only with `nan: true`) within the range. */
  number(r: RangeOptions & { finite?: boolean; nan?: boolean } = {}): Check<number> {
    const want = `a ${r.finite === false ? '' : 'finite '}number${r.nan ? ' or NaN' : ''}${rangeText(r)}`;
    return (v, where) => {
      if (r.nan && Number.isNaN(v)) return v as number;
      if (typeof v !== 'number' || Number.isNaN(v) || (r.finite !== false && !Number.isFinite(v)) || !inRange(v, r)) fail(where, want, v);
      return v;
    };
  },

  /** An integer within the range. */
  int(r: RangeOptions = {}): Check<number> {
    const want = `an integer${rangeText(r)}`;
    return (v, where) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, r)) fail(where, want, v);
      return v;
    };
  },

  /** One of the listed strings. */
  oneOf<T extends string>(values: readonly T[]): Check<T> {
    const want = `one of ${values.map((s) => `'${s}'`).join(', ')}`;
    return (v, where) => {
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
        const hint = typeof v === 'string' ? closest(v, values) : undefined;
        fail(where, `${want}${hint ? ` (did you mean '${hint}'?)` : ''}`, v);
      }
      return v as T;
    };
  },

  /** A list whose items pass `item`, with at least `minLength` of them. */
  list<T>(item: Check<T>, { minLength = 0, maxLength = Infinity } = {}): Check<T[]> {
    return (v, where) => {
      if (!Array.isArray(v) || v.length < minLength || v.length > maxLength) {
        const len = maxLength === minLength ? `${minLength}` : maxLength === Infinity ? `at least ${minLength}` : `${minLength} to ${maxLength}`;
        fail(where, `a list of ${len} item${maxLength === 1 ? '' : 's'}`, v);
      }
      return v.map((x, i) => item(x, `${where}[${i}]`));
    };
  },

  /** A number or a list of exactly `n` numbers, each passing `item` (kernel sizes, strides). */
  tuple(item: Check<number>, n: number): Check<number | number[]> {
    return (v, where) => {
      if (typeof v === 'number') return item(v, where);
      if (!Array.isArray(v) || v.length !== n) fail(where, `a number or a list of ${n} numbers`, v);
      return v.map((x, i) => item(x, `${where}[${i}]`));
    };
  },

  /** An instance of a class (`is.instance(Tensor, 'a Tensor')`). */
  instance<T>(ctor: abstract new (...args: never[]) => T, want: string): Check<T> {
    return (v, where) => (v instanceof ctor ? v : fail(where, want, v));
  },

  /** A plain object whose keys pass `spec` (nested options). */
  options<S extends OptionSpec>(spec: S): Check<Checked<S>> {
    return (v, where) => readOptions(where, v, spec);
  },

  /** `null` or a value passing `check`. */
  nullable<T>(check: Check<T>): Check<T | null> {
    return (v, where) => (v === null ? null : check(v, where));
  },

  /** The first check that accepts the value; the error lists what each wanted. */
  anyOf<T>(want: string, ...checks: Check<T>[]): Check<T> {
    return (v, where) => {
      for (const c of checks) {
        try {
          return c(v, where);
        } catch (e) {
          if (!(e instanceof ArgumentError)) throw e;
        }
      }
      return fail(where, want, v);
    };
  },

  /** Anything (for values checked later, by the function itself). */
  any: ((v) => v) as Check<unknown>,
};

// Lower case without separators: hidden_layer_sizes, hidden-layer-sizes and HiddenLayerSizes
// all meet hiddenLayerSizes.
function fold(s: string): string {
  return s.toLowerCase().replace(/[_\-\s]/g, '');
}

// Edit distance counting a swap of two neighbours as one edit (optimal string alignment).
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const up = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The valid name closest to `given`, if it is close enough to be a typo or another spelling. */
export function closest(given: string, valid: Iterable<string>): string | undefined {
  const g = fold(given);
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of valid) {
    const d = editDistance(g, fold(name));
    if (d < bestD) {
      best = name;
      bestD = d;
    }
  }
  if (bestD <= Math.max(1, Math.min(3, Math.floor(g.length / 3)))) return best;
  const known = [...valid];
  return OTHER_NAMES[g]?.find((name) => known.includes(name));
}

// What other libraries call options that fingrad names differently (folded key → our names, the
// first one the function has wins): sklearn's random_state and learning_rate_init, the lr of
// PyTorch's optimizers against the estimators' learningRate and back, Keras' epochs against the
// estimators' maxIter.
const OTHER_NAMES: Readonly<Record<string, readonly string[]>> = {
  randomstate: ['seed'],
  learningrateinit: ['learningRate'],
  lr: ['learningRate'],
  learningrate: ['lr'],
  nepochs: ['epochs', 'maxIter'],
  epochs: ['maxIter'],
};

/**
 * Checks an options object against its table: `undefined` stands for no options; anything but
 * a plain object, and any key the table does not list, is an ArgumentError naming `where`.
 * Keys whose value is `undefined` count as absent. Returns the checked values.
 */
export function readOptions<S extends OptionSpec>(where: string, given: unknown, spec: S): Checked<S> {
  if (given === undefined) return {};
  if (!isPlainObject(given)) {
    throw new ArgumentError(`${where}: options must be an object {${Object.keys(spec).slice(0, 3).join(', ')}, …}, got ${describe(given)}`, where, 'options');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const check = Object.prototype.hasOwnProperty.call(spec, key) ? spec[key] : undefined;
    if (check === undefined) {
      const hint = closest(key, Object.keys(spec));
      const valid = Object.keys(spec);
      throw new UnknownOptionError(
        `${where}: unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; valid options: ${valid.length ? valid.join(', ') : 'none'}`,
        where,
        key,
        hint,
      );
    }
    if (value !== undefined) out[key] = check(value, `${where}: ${key}`);
  }
  return out as Checked<S>;
}

/**
 * Reads a size as torch takes it, a list (`zeros([2, 3])`, `reshape(x, [3, -1])`) or integers
 * one by one (`zeros(2, 3)`, `x.reshape(3, -1)`), each checked by `item`; returns the sizes and
 * the arguments after them (for `readArgs`).
 */
export function readSizes(where: string, args: readonly unknown[], item: Check<number> = is.int({ min: 0 }), name = 'shape'): { sizes: number[]; rest: unknown[] } {
  const first = args[0];
  // A bad size within a list is a ShapeError, as shape checks have always thrown.
  const sizes = (list: readonly unknown[]): number[] =>
    list.map((d, i) => {
      try {
        return item(d, `${where}: ${name}[${i}]`);
      } catch (e) {
        throw e instanceof ArgumentError ? new ShapeError(e.message) : e;
      }
    });
  if (Array.isArray(first)) return { sizes: sizes(first), rest: args.slice(1) };
  let n = 0;
  while (typeof args[n] === 'number') n++;
  if (n === 0) {
    throw new ArgumentError(`${where}: ${name} must be a list of integers ([2, 3]) or integers one by one (2, 3), got ${describe(first)}`, where, name);
  }
  return { sizes: sizes(args.slice(0, n)), rest: args.slice(n) };
}

/** `SizeArgs<O>`: a size as `readSizes` reads it, then an options object. */
export type SizeArgs<O> = [shape: readonly number[], options?: O] | [...dims: number[]] | [...dims: number[], options: O];

/**
 * The TypeScript face of `readArgs`: any prefix of the PyTorch positional parameters `P`,
 * optionally followed by the options object `O` (`Args<[dim: number, keepdim: boolean], {…}>`
 * admits `()`, `(1)`, `(1, true)`, `(1, {keepdim})`, `({dim, keepdim})`, …).
 */
export type Args<P extends readonly unknown[], O> = P extends readonly [...infer H, unknown] ? [...P, options?: O] | Args<H, O> : [options?: O];

/**
 * Reads the arguments after a function's required ones, given PyTorch-style positionally
 * (`maxPool2d(x, 3, 2, 1)`), as one options object (`maxPool2d(x, 3, {stride: 2})`), or both
 * (`conv2d(x, w, null, 2, {padding: 1})`: positions first, then an object for the rest).
 * `names` are the positional parameters in PyTorch's order; `spec` checks every option,
 * positional or not. An option given both ways, or too many positions, is an ArgumentError.
 */
export function readArgs<S extends OptionSpec>(where: string, args: readonly unknown[], names: readonly (keyof S & string)[], spec: S): Checked<S> {
  if (args.length === 0) return {};
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const last = end > 0 ? args[end - 1] : undefined;
  const named = isPlainObject(last) ? last : undefined;
  const positions = named === undefined ? end : end - 1;
  if (positions > names.length) {
    const list = names.length ? ` (${names.join(', ')})` : '';
    throw new ArgumentError(`${where}: takes at most ${names.length} optional positional argument${names.length === 1 ? '' : 's'}${list} and then an options object, got ${positions}`, where, '');
  }
  const merged: Record<string, unknown> = {};
  for (let i = 0; i < positions; i++) {
    const v = args[i];
    if (v === undefined) continue;
    const name = names[i] as string;
    if (isPlainObject(v)) {
      throw new ArgumentError(`${where}: ${name} (argument ${i + 1} after the required ones) must not be an object; an options object must come last`, where, name);
    }
    merged[name] = v;
  }
  if (named !== undefined) {
    for (const key of Object.keys(named)) {
      if (key in merged) throw new ArgumentError(`${where}: ${key} was given twice, by position and in the options object`, where, key);
    }
  }
  return readOptions(where, named === undefined ? merged : { ...merged, ...named }, spec);
}

// Every prefix of a tuple: [a, b] → [a, b] | [a] | [].
type Prefixes<P extends readonly unknown[]> = P extends readonly [...infer H, unknown] ? P | Prefixes<H> : P;

/**
 * The type of what `readArgs` reads: PyTorch's optional positional parameters `P` (any leading
 * run of them, each possibly undefined), then optionally an options object `O`, so that
 * `conv(x, w, b, 2, { padding: 1 })` type-checks as it runs.
 */
export type PositionalArgs<P extends readonly unknown[], O> =
  Prefixes<{ [K in keyof P]: P[K] | undefined }> extends infer Q ? (Q extends readonly unknown[] ? [...Q, O?] : never) : never;
