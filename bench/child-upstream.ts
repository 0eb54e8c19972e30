/**
 * Child process: the fake Anthropic upstream every target forwards to. Small
 * non-streaming replies go out at once; streams pace their SSE events
 * CHUNK_DELAY_MS apart so inter-chunk delay can be measured.
 */
import { FakeAnthropic } from '../src-main/fake-upstream/fake-anthropic.js';
import { CHUNK_DELAY_MS, STREAM_DELTAS, announceReady, serveCommands } from './protocol.js';

const fake = await FakeAnthropic.start({ name: 'bench', deltas: STREAM_DELTAS, chunkDelayMs: CHUNK_DELAY_MS, record: false });
serveCommands(
  () => Promise.reject(new Error('the upstream takes no load commands')),
  () => fake.stop(),
);
announceReady(fake.url);
