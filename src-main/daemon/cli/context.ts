/** What a CLI command may touch: its streams, environment and data directory. Injected for tests. */
export interface CliContext {
  dataDir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** Prints JSON the way scripts expect: one document, 2-space indent. */
export function printJson(context: CliContext, value: unknown): void {
  context.out(JSON.stringify(value, null, 2));
}
