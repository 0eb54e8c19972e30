import { parse } from './args.js';
import { withSession } from './config-commands.js';
import { printJson, type CliContext } from './context.js';
import { formatHealth } from './format.js';

/** `qcc health [--json]`: probes every endpoint now and shows the result. */
export async function healthCommand(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('health', argv, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  await withSession(context, async (session) => {
    const snapshot = await session.invoke('health:check-now', {});
    if (values.json) {
      printJson(context, {
        overall: snapshot.overall,
        active: snapshot.active_config,
        configs: snapshot.tiers.flatMap((group) => group.configs),
      });
      return;
    }
    context.out(formatHealth(snapshot));
  });
}
