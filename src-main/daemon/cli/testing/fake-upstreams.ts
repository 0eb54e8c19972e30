import { FakeAnthropic, type FakeAnthropicOptions } from '../../../fake-upstream/fake-anthropic.js';

// Fake Anthropic upstreams for CLI specs: they run in the test process, the CLI
// and the daemon in subprocesses. No test framework here: a spec registers
// `start` and `stop` with its own beforeAll / afterAll.

/** Fakes started and stopped together; `fakes` holds them by name once `start` has run. */
export interface FakeUpstreams<Name extends string> {
  /** The running fakes; each replies `Hello from NAME.` with its own name. */
  readonly fakes: Record<Name, FakeAnthropic>;
  start(): Promise<void>;
  /** Stops every fake that started (also after a failed `start`). */
  stop(): Promise<void>;
}

/** One fake per name, with its options (an `apiKey` makes it insist on that key); started in parallel. */
export function fakeUpstreams<Name extends string>(options: Record<Name, Omit<FakeAnthropicOptions, 'name'>>): FakeUpstreams<Name> {
  const fakes = {} as Record<Name, FakeAnthropic>;
  const entries = Object.entries(options) as [Name, FakeAnthropicOptions][];
  return {
    fakes,
    start: async () => {
      await Promise.all(
        entries.map(async ([name, fakeOptions]) => {
          fakes[name] = await FakeAnthropic.start({ ...fakeOptions, name });
        }),
      );
    },
    stop: async () => {
      await Promise.all(Object.values<FakeAnthropic>(fakes).map((fake) => fake.stop()));
    },
  };
}
