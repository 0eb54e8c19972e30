import { AUTH_STYLES } from '../../../src-shared/model/config.js';
import { UsageError, choiceOption, parse } from './args.js';
import { printJson, type CliContext } from './context.js';
import { openEngine, type EngineSession } from './engine-session.js';
import { formatConfigList, formatEndpoints } from './format.js';
import { importHint } from './import-hint.js';

const ENDPOINT_FLAGS = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  auth: { type: 'string' },
} as const;

/** `qcc add NAME --base-url URL --api-key KEY [--auth …] [--description TEXT]` */
export async function addCommand(argv: string[], context: CliContext): Promise<void> {
  const { values, positionals } = parse('add', argv, { ...ENDPOINT_FLAGS, description: { type: 'string' } }, { min: 1, max: 1, names: 'NAME' });
  const endpoint = endpointInput('add', values);
  await withSession(context, async (session) => {
    const config = await session.invoke('config:add', {
      name: positionals[0] as string,
      ...(values.description !== undefined ? { description: values.description } : {}),
      endpoints: [endpoint],
    });
    const added = config.endpoints[0];
    context.out(`✓ Added config '${config.name}' to the ${config.tier} tier (position ${config.position + 1})`);
    if (added) context.out(`  endpoint ${added.id}  ${added.base_url}  key ${added.key_hint} (${added.auth_style})`);
  });
}

/** `qcc list [--json]` */
export async function listCommand(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('list', argv, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  await withSession(context, async (session) => {
    const snapshot = await session.invoke('state:get', {});
    if (values.json) {
      printJson(context, snapshot.tiers.flatMap((group) => group.configs));
      return;
    }
    context.out(formatConfigList(snapshot));
    const hint = snapshot.tiers.every((group) => group.configs.length === 0) ? await importHint(context) : null;
    if (hint) context.out(`\n${hint}`);
  });
}

/** `qcc remove NAME` */
export async function removeCommand(argv: string[], context: CliContext): Promise<void> {
  const { positionals } = parse('remove', argv, {}, { min: 1, max: 1, names: 'NAME' });
  await withSession(context, async (session) => {
    await session.invoke('config:remove', { name: positionals[0] as string });
    context.out(`✓ Removed config '${positionals[0]}'`);
  });
}

/** `qcc endpoint add|list|update|remove …` */
export async function endpointCommand(argv: string[], context: CliContext): Promise<void> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'add': {
      const { values, positionals } = parse('endpoint add', rest, ENDPOINT_FLAGS, { min: 1, max: 1, names: 'NAME' });
      const input = endpointInput('endpoint add', values);
      await withSession(context, async (session) => {
        const endpoint = await session.invoke('endpoint:add', { config: positionals[0] as string, ...input });
        context.out(`✓ Added endpoint ${endpoint.id} to '${positionals[0]}': ${endpoint.base_url}  key ${endpoint.key_hint} (${endpoint.auth_style})`);
      });
      return;
    }
    case 'list': {
      const { values, positionals } = parse('endpoint list', rest, { json: { type: 'boolean' } }, { min: 1, max: 1, names: 'NAME' });
      await withSession(context, async (session) => {
        const snapshot = await session.invoke('state:get', {});
        const config = snapshot.tiers.flatMap((group) => group.configs).find((entry) => entry.name === positionals[0]);
        if (!config) throw new Error(`no config named "${positionals[0]}"`);
        if (values.json) printJson(context, config.endpoints);
        else context.out(formatEndpoints(config));
      });
      return;
    }
    case 'update':
      return endpointUpdate(rest, context);
    case 'remove': {
      const { positionals } = parse('endpoint remove', rest, {}, { min: 2, max: 2, names: 'NAME ENDPOINT_ID' });
      await withSession(context, async (session) => {
        await session.invoke('endpoint:remove', { config: positionals[0] as string, endpoint_id: positionals[1] as string });
        context.out(`✓ Removed endpoint ${positionals[1]} from '${positionals[0]}'`);
      });
      return;
    }
    default:
      throw new UsageError(verb ? `unknown subcommand '${verb}'` : 'missing subcommand (add, list, update or remove)', 'endpoint');
  }
}

/** `qcc endpoint update NAME ENDPOINT_ID [--api-key KEY] [--base-url URL] [--auth …] [--enable|--disable] [--json]` */
async function endpointUpdate(argv: string[], context: CliContext): Promise<void> {
  const command = 'endpoint update';
  const { values, positionals } = parse(
    command,
    argv,
    { ...ENDPOINT_FLAGS, enable: { type: 'boolean' }, disable: { type: 'boolean' }, json: { type: 'boolean' } },
    { min: 2, max: 2, names: 'NAME ENDPOINT_ID' },
  );
  const [config, endpointId] = positionals as [string, string];
  // Strict parsing allows `--no-enable` / `--no-disable`; they read as the opposite flag.
  if (values.enable !== undefined && values.disable !== undefined) throw new UsageError('--enable and --disable cannot be used together', command);
  const enabled = values.enable ?? (values.disable === undefined ? undefined : !values.disable);
  const auth = choiceOption(command, 'auth', values.auth, AUTH_STYLES);
  // Checked here only for being there; what a valid URL or key is stays the engine's call (one source of truth).
  const patch = {
    ...(values['base-url'] !== undefined ? { base_url: values['base-url'] } : {}),
    ...(values['api-key'] !== undefined ? { api_key: values['api-key'] } : {}),
    ...(auth ? { auth_style: auth } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give --api-key, --base-url, --auth, --enable or --disable', command);
  await withSession(context, async (session) => {
    const endpoint = await session.invoke('endpoint:update', { config, endpoint_id: endpointId, ...patch });
    if (values.json) {
      printJson(context, endpoint);
      return;
    }
    const changed = [
      patch.api_key !== undefined ? 'key' : null,
      patch.base_url !== undefined ? 'base URL' : null,
      patch.auth_style !== undefined ? 'auth' : null,
      patch.enabled === undefined ? null : patch.enabled ? 'enabled' : 'disabled',
    ].filter((item) => item !== null);
    context.out(`✓ Updated endpoint ${endpoint.id} of '${config}' (${changed.join(', ')}): ${endpoint.base_url}  key ${endpoint.key_hint} (${endpoint.auth_style})${endpoint.enabled ? '' : '  disabled'}`);
  });
}

function endpointInput(command: string, values: { 'base-url'?: string; 'api-key'?: string; auth?: string }) {
  const missing = (['base-url', 'api-key'] as const).filter((flag) => !values[flag]);
  if (missing.length > 0) throw new UsageError(`${missing.map((flag) => `--${flag}`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`, command);
  const auth = choiceOption(command, 'auth', values.auth, AUTH_STYLES);
  return {
    base_url: values['base-url'] as string,
    api_key: values['api-key'] as string,
    ...(auth ? { auth_style: auth } : {}),
  };
}

/** Opens the engine for one command and always closes it (flushing writes). */
export async function withSession<T>(context: CliContext, run: (session: EngineSession) => Promise<T>): Promise<T> {
  const session = await openEngine(context.dataDir);
  try {
    // Never silent: a settings file moved aside or restored from its backup is news the user must get.
    for (const problem of session.problems) context.err(`qcc: warning: ${problem}`);
    return await run(session);
  } finally {
    await session.close();
  }
}
