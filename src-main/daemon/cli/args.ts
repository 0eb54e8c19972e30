import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how a command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on: printed as one line, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

/**
 * Strict parsing: an unknown or misspelt flag, a missing value or a wrong
 * number of arguments is an error naming what is wrong, never ignored.
 */
export function parse<O extends Options>(command: string, argv: string[], options: O, positionals: { min: number; max: number; names: string }): Parsed<O> {
  let result;
  try {
    result = parseArgs({ args: argv, options, allowPositionals: true, strict: true, allowNegative: true });
  } catch (error) {
    throw new UsageError(cleanParseError((error as Error).message), command);
  }
  const count = result.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names.split(' ').slice(count).join(' ')}`, command);
  if (count > positionals.max) throw new UsageError(`unexpected argument '${result.positionals[positionals.max]}'`, command);
  return result as unknown as Parsed<O>;
}

function cleanParseError(message: string): string {
  // Node's messages are long and mention its own API; keep the useful part.
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  // Node writes "Option '-n, --lines <value>' argument missing"; keep only the flag.
  const missing = /Option '(?:-\w, )?(--?[^ ']+)[^']*' argument missing/.exec(message);
  if (missing) return `option '${missing[1]}' needs a value`;
  // `--api-key --enable` (value forgotten) or a value starting with '-'; never echo the value, it may be a key.
  const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `option '${ambiguous[1]}' needs a value${ambiguous[1]?.startsWith('--') ? ` (write ${ambiguous[1]}=VALUE for one starting with '-')` : ''}`;
  return message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '') ?? message;
}

/** A whole number within bounds, or a UsageError naming the flag. */
export function intOption(command: string, flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got '${value}'`, command);
  const number = Number(value);
  if (number < min || number > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${number}`, command);
  return number;
}

/** One of a fixed set, or a UsageError listing the choices. */
export function choiceOption<T extends string>(command: string, flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`, command);
  return value as T;
}
